import type { ErrorCode } from "../../common/error-codes.js";
import { HubpushError, type HubpushErrorOptions } from "../../common/hubpush-error.js";

export interface HubErrorOptions extends HubpushErrorOptions {
  /** HTTP status of the answer; null when there was none (network error, timeout). */
  readonly status?: number | null;
  /** The `X-Error-Code` header (RepoNotFound, RevisionNotFound, EntryNotFound, GatedRepo…). */
  readonly errorCode?: string | null;
  /** The `X-Request-Id` header, for reports to the Hub's maintainers. */
  readonly requestId?: string | null;
  /** The request body was fully sent and the answer is unknown or a 5xx. Default false. */
  readonly maybeApplied?: boolean;
}

/**
 * A failure of one Hub call, classified at the boundary. `maybeApplied` tells the commit engine to
 * reconcile against the remote (paths-info) instead of re-sending: the Hub may have done the work.
 */
export class HubError extends HubpushError {
  readonly status: number | null;
  readonly errorCode: string | null;
  readonly requestId: string | null;
  readonly maybeApplied: boolean;

  constructor(code: ErrorCode, message: string, options: HubErrorOptions = {}) {
    super(code, message, options);
    this.name = "HubError";
    this.status = options.status ?? null;
    this.errorCode = options.errorCode ?? null;
    this.requestId = options.requestId ?? null;
    this.maybeApplied = options.maybeApplied ?? false;
  }

  override toJSON(): ReturnType<HubpushError["toJSON"]> & {
    status: number | null;
    errorCode: string | null;
    requestId: string | null;
    maybeApplied: boolean;
    retryAfterMs: number | null;
  } {
    return {
      ...super.toJSON(),
      status: this.status,
      errorCode: this.errorCode,
      requestId: this.requestId,
      maybeApplied: this.maybeApplied,
      retryAfterMs: this.retryAfterMs ?? null,
    };
  }
}
