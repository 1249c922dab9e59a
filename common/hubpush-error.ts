import { ERROR_CODES, type ErrorCode } from "./error-codes.js";

export interface HubpushErrorOptions {
  /** True when trying again later may succeed (network, 429, 5xx). Default false. */
  readonly retryable?: boolean;
  /** Milliseconds the other side asked us to wait before trying again. */
  readonly retryAfterMs?: number;
  /** Structured facts for logs and the control API; never secrets. */
  readonly details?: Readonly<Record<string, unknown>>;
  readonly cause?: unknown;
}

/**
 * The one error type of hubpush: a stable `code` (see error-codes.ts), whether retrying can help,
 * and a message that says what happened and what to do.
 */
export class HubpushError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, message: string, options: HubpushErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "HubpushError";
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.retryAfterMs = options.retryAfterMs;
    this.details = options.details;
  }

  get exitCode(): number {
    return ERROR_CODES[this.code].exitCode;
  }

  get httpStatus(): number {
    return ERROR_CODES[this.code].httpStatus;
  }

  toJSON(): {
    code: ErrorCode;
    message: string;
    retryable: boolean;
    details?: Readonly<Record<string, unknown>>;
  } {
    return {
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      ...(this.details === undefined ? {} : { details: this.details }),
    };
  }
}

/** Wraps anything thrown into a HubpushError, keeping HubpushErrors as they are. */
export function toHubpushError(err: unknown, fallback: ErrorCode = "ERR_INTERNAL"): HubpushError {
  if (err instanceof HubpushError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new HubpushError(fallback, message, { cause: err });
}
