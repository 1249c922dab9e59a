import { sleep } from "../sleep.js";

export interface TokenBucketOptions {
  /** Tokens the bucket holds when full (the burst). */
  readonly capacity: number;
  /** Tokens added per second. */
  readonly refillPerSecond: number;
  readonly now?: () => number;
}

/**
 * A token bucket: budgets for Hub API calls and commits, and (with bytes as tokens) the --max-rate
 * cap. A 429 holds all takers until its Retry-After has passed; one without a Retry-After also
 * lowers the refill rate, which comes back gradually while no such 429 is seen.
 */
export class TokenBucket {
  #capacity: number;
  #baseRefill: number;
  #refill: number;
  #tokens: number;
  #last: number;
  #holdUntil = 0;
  #lastPenalty = 0;
  readonly #now: () => number;

  constructor(options: TokenBucketOptions) {
    this.#now = options.now ?? Date.now;
    this.#capacity = options.capacity;
    this.#baseRefill = options.refillPerSecond;
    this.#refill = options.refillPerSecond;
    this.#tokens = options.capacity;
    this.#last = this.#now();
  }

  get refillPerSecond(): number {
    return this.#refill;
  }

  /** Changes the rate at run time (e.g. `--max-rate` updated through the control API). */
  reconfigure(capacity: number, refillPerSecond: number): void {
    this.#settle();
    this.#capacity = capacity;
    this.#baseRefill = refillPerSecond;
    this.#refill = refillPerSecond;
    this.#tokens = Math.min(this.#tokens, capacity);
  }

  #settle(): void {
    const now = this.#now();
    const elapsed = Math.max(0, now - this.#last) / 1000;
    this.#last = now;
    // Recover towards the configured rate 5 minutes after the last 429.
    if (this.#refill < this.#baseRefill && now - this.#lastPenalty > 300_000) {
      this.#refill = Math.min(this.#baseRefill, this.#refill * 1.25);
      this.#lastPenalty = now;
    }
    this.#tokens = Math.min(this.#capacity, this.#tokens + elapsed * this.#refill);
  }

  /** Milliseconds until `n` tokens would be available (0 = now). */
  delayFor(n: number): number {
    this.#settle();
    const now = this.#now();
    const hold = Math.max(0, this.#holdUntil - now);
    const want = Math.min(n, this.#capacity);
    if (this.#tokens >= want) return hold;
    return Math.max(hold, Math.ceil(((want - this.#tokens) / this.#refill) * 1000));
  }

  /** Takes `n` tokens, waiting as long as needed (n above capacity is charged as a debt). */
  async take(n = 1, signal?: AbortSignal): Promise<void> {
    for (;;) {
      if (signal?.aborted) return;
      const delay = this.delayFor(n);
      if (delay <= 0) {
        this.#tokens -= n;
        return;
      }
      await sleep(delay, signal);
    }
  }

  /**
   * The Hub answered 429. With a Retry-After (or RateLimit reset), everyone is held until then
   * and nothing else changes: the Hub's window resets at that moment, so the budget left is
   * usable after it, and a stray 429 costs its Retry-After, not minutes of lowered pace. Without
   * one, the window is unknown: hold for `fallbackMs`, halve the refill rate (floor: 10%) and
   * drop the tokens; the rate comes back by 25% every 5 minutes without such a 429.
   */
  penalize(retryAfterMs: number | undefined, fallbackMs: number): void {
    this.#settle();
    const now = this.#now();
    this.#holdUntil = Math.max(this.#holdUntil, now + (retryAfterMs ?? fallbackMs));
    if (retryAfterMs !== undefined) return;
    this.#refill = Math.max(this.#baseRefill * 0.1, this.#refill / 2);
    this.#tokens = Math.min(this.#tokens, 0);
    this.#lastPenalty = now;
  }
}
