import { HubpushError } from "../../common/hubpush-error.js";

export interface BackoffOptions {
  /** Ceiling of the first wait, ms. Default 1000. */
  readonly baseMs?: number;
  /** Largest ceiling, ms. Default 5 minutes. */
  readonly capMs?: number;
  /** Source of jitter in [0, 1). Default Math.random. */
  readonly random?: () => number;
  /** What the server asked for (Retry-After / RateLimit); the wait is never shorter. */
  readonly retryAfterMs?: number;
}

/** Whether trying the same call again later may succeed (network, 408, 429, 5xx, expired URLs). */
export function isRetryable(err: unknown): boolean {
  return err instanceof HubpushError && err.retryable;
}

/**
 * Capped exponential backoff with full jitter: a uniform wait in [0, min(cap, base·2^(attempt−1))],
 * never shorter than the server's `retryAfterMs`. `attempt` counts the failures so far (1 before
 * the first retry; values below 1 count as 1). Full jitter spreads many waiting files over the
 * window instead of sending them back together.
 */
export function backoffMs(attempt: number, options: BackoffOptions = {}): number {
  const baseMs = options.baseMs ?? 1000;
  const capMs = options.capMs ?? 5 * 60_000;
  const random = options.random ?? Math.random;
  const n = Number.isNaN(attempt) ? 1 : Math.max(1, Math.floor(attempt));
  // 2 ** 1100 is Infinity; Math.min keeps the ceiling finite.
  const ceiling = Math.min(capMs, baseMs * 2 ** (n - 1));
  const jitter = Math.min(Math.max(random(), 0), 1);
  const wait = Math.floor(ceiling * jitter);
  return Math.max(wait, Math.ceil(options.retryAfterMs ?? 0));
}
