import type { ErrorCode } from "../common/error-codes.js";
import { type HubpushError, toHubpushError } from "../common/hubpush-error.js";
import type { ErrorInfo } from "../storage/journal.js";
import { HubError } from "./hub/hub-error.js";

/**
 * What a failure means for the file, batch or job it happened to. Every stage, the scan and the
 * runner ask `decideFailure`; no other file decides it. Nothing permanent is retried.
 */
export type FailureAction =
  /** Transient: the file (or call) is tried again after capped, jittered backoff. */
  | "retry"
  /** Permanent for this file: state failed with the error; the job goes on. */
  | "fail-file"
  /** The content no longer matches the journal: back to hashing. */
  | "rehash-file"
  /** The file is gone: state vanished. */
  | "drop-file"
  /** The job stops (blocked) with the error until `hubpush retry`. */
  | "block-job"
  /** A watch job's folder went away (an unmounted disk): paused, nothing deleted, resumable. */
  | "pause-job"
  /** A commit whose answer was lost may have been applied: batch unknown, reconciled before anything is sent again. */
  | "reconcile-commit";

export interface FailureRule {
  readonly action: FailureAction;
  /** The action for a watch job, when it differs (a folder that may come back). */
  readonly watchAction?: FailureAction;
  /** The stored LFS plan is stale too (its presigned URLs expired): drop it before retrying. */
  readonly forgetLfsPlan?: true;
  readonly why: string;
}

const BLOCK_JOB: FailureRule = { action: "block-job", why: "only the user can fix it" };
const JOURNAL_DOWN: FailureRule = {
  action: "block-job",
  why: "the journal cannot record progress (disk full, read-only, I/O error, damaged): nothing can go on",
};
const FOLDER_GONE: FailureRule = {
  action: "block-job",
  watchAction: "pause-job",
  why: "a missing or unreadable folder stops the job and marks nothing vanished; a watch job's folder may come back",
};

/**
 * The table: one row per code whose meaning is not given by its retryable flag alone. Any other
 * code is `retry` when retryable, else `fail-file` (an unknown error is not retried forever).
 */
export const FAILURE_TABLE: Readonly<Partial<Record<ErrorCode, FailureRule>>> = {
  ERR_HUB_UNAUTHORIZED: BLOCK_JOB,
  ERR_HUB_FORBIDDEN: BLOCK_JOB,
  ERR_HUB_REPO_NOT_FOUND: BLOCK_JOB,
  ERR_HUB_REVISION_NOT_FOUND: BLOCK_JOB,
  ERR_TOKEN_MISSING: BLOCK_JOB,
  ERR_TOKEN_INVALID: BLOCK_JOB,
  ERR_JOURNAL_FULL: JOURNAL_DOWN,
  ERR_JOURNAL_READONLY: JOURNAL_DOWN,
  ERR_JOURNAL_IO: JOURNAL_DOWN,
  ERR_JOURNAL_CORRUPT: JOURNAL_DOWN,
  ERR_FOLDER_NOT_FOUND: FOLDER_GONE,
  ERR_FOLDER_NOT_DIRECTORY: FOLDER_GONE,
  ERR_FOLDER_UNREADABLE: FOLDER_GONE,
  ERR_FOLDER_EMPTIED: FOLDER_GONE,
  ERR_PATH_NOT_UPLOADABLE: FOLDER_GONE,
  ERR_FILE_CHANGED: { action: "rehash-file", why: "the bytes read are not the bytes hashed: hash again" },
  ERR_FILE_VANISHED: { action: "drop-file", why: "the file was deleted before it was uploaded" },
  ERR_XET_UNAVAILABLE: BLOCK_JOB,
  ERR_XET_TOKEN_REFUSED: BLOCK_JOB,
  ERR_HUB_UPLOAD_URL_EXPIRED: {
    action: "retry",
    forgetLfsPlan: true,
    why: "the presigned URLs expired: ask for a fresh LFS plan, then upload again",
  },
};

export interface FailureSituation {
  /** The job watches its folder. */
  readonly watch?: boolean;
  /**
   * The failure is that of a commit that was sent: if its answer may have been applied (the body
   * was sent, see HubError.maybeApplied) or the call was aborted mid-flight, it must be reconciled.
   */
  readonly commitSent?: { readonly aborted: boolean };
}

export interface FailureDecision {
  readonly action: FailureAction;
  readonly error: HubpushError;
  /** What the journal records (code and message). */
  readonly info: ErrorInfo;
  readonly forgetLfsPlan: boolean;
}

/** Looks a failure up in FAILURE_TABLE, given the situation it happened in. */
export function decideFailure(err: unknown, situation: FailureSituation = {}): FailureDecision {
  const error = toHubpushError(err);
  const info: ErrorInfo = { code: error.code, message: error.message };
  const rule = FAILURE_TABLE[error.code];
  let action: FailureAction;
  const maybeApplied = error instanceof HubError && error.maybeApplied;
  if (situation.commitSent !== undefined && (maybeApplied || situation.commitSent.aborted))
    action = "reconcile-commit";
  else if (rule !== undefined)
    action = (situation.watch === true ? rule.watchAction : undefined) ?? rule.action;
  else action = error.retryable ? "retry" : "fail-file";
  return { action, error, info, forgetLfsPlan: rule?.forgetLfsPlan === true };
}
