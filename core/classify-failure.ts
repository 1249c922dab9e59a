import type { ErrorCode } from "../common/error-codes.js";
import { type HubpushError, toHubpushError } from "../common/hubpush-error.js";
import type { ErrorInfo } from "../storage/journal.js";

/** Errors that stop the whole job until the user acts (token, permissions, repo or branch, journal). */
const JOB_LEVEL: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  "ERR_HUB_UNAUTHORIZED",
  "ERR_HUB_FORBIDDEN",
  "ERR_HUB_REPO_NOT_FOUND",
  "ERR_HUB_REVISION_NOT_FOUND",
  "ERR_TOKEN_MISSING",
  "ERR_TOKEN_INVALID",
  // The journal cannot record progress (disk full, read-only, I/O error, damaged): nothing can go on.
  "ERR_JOURNAL_FULL",
  "ERR_JOURNAL_READONLY",
  "ERR_JOURNAL_IO",
  "ERR_JOURNAL_CORRUPT",
]);

/** Local I/O failures that say the file changed under us: re-hash it, do not fail it. */
const CONTENT_CHANGED: ReadonlySet<ErrorCode> = new Set<ErrorCode>(["ERR_FILE_CHANGED"]);

export type FailureKind =
  /** Stop the job (blocked) with this error until `hubpush retry`. */
  | "job"
  /** Retry later with backoff. */
  | "transient"
  /** This file cannot be uploaded (state failed). */
  | "file"
  /** The file is gone. */
  | "vanished"
  /** The content no longer matches the journal: back to hashing. */
  | "changed";

export interface ClassifiedFailure {
  readonly kind: FailureKind;
  readonly error: HubpushError;
  readonly info: ErrorInfo;
}

/** Decides what a failure means for the file or job it happened to. Nothing permanent is retried. */
export function classifyFailure(err: unknown): ClassifiedFailure {
  const error = toHubpushError(err);
  const info: ErrorInfo = { code: error.code, message: error.message };
  let kind: FailureKind;
  if (JOB_LEVEL.has(error.code)) kind = "job";
  else if (CONTENT_CHANGED.has(error.code)) kind = "changed";
  else if (error.code === "ERR_FILE_VANISHED") kind = "vanished";
  else if (error.retryable) kind = "transient";
  else kind = "file";
  return { kind, error, info };
}
