/**
 * A token bucket that lends: `take(n)` always succeeds and says how long to wait before the n
 * bytes may go. Tokens may go negative (a debt paid back at `rate`), so a sleep that overshoots on
 * a loaded machine is not lost rate: the next take sees the extra time as refilled tokens, up to
 * `burst`. Several takers sharing one bucket are served in the order they take (a FIFO reservation).
 */
export class TokenBucket {
  private tokens = 0; // starts empty: a transfer's first bytes get no free burst
  private last: number;

  constructor(
    /** Bytes per second; Infinity = no limit. */
    readonly rate: number,
    /** Most tokens credited to a bucket in debt whose taker came back late (a late timer), in bytes. */
    readonly burst: number,
    private readonly now: () => number = () => performance.now(),
    /** Most tokens saved by a bucket out of debt (idle): what an idle link may send at once. */
    readonly idleBurst: number = burst,
  ) {
    if (!(rate > 0)) throw new RangeError(`TokenBucket: rate must be > 0, got ${rate}`);
    if (!(burst >= 0)) throw new RangeError(`TokenBucket: burst must be ≥ 0, got ${burst}`);
    this.last = now();
  }

  /** Takes `bytes` tokens; returns the ms to wait before sending them (0 = now). */
  take(bytes: number): number {
    if (this.rate === Number.POSITIVE_INFINITY) return 0;
    const t = this.now();
    // In debt, the taker was waiting on us: time it overslept is credited (up to burst). Out of
    // debt, the link was idle, and idle time is not bandwidth saved up (up to idleBurst only).
    const cap = this.tokens < 0 ? this.burst : Math.min(this.burst, this.idleBurst);
    this.tokens = Math.min(Math.max(cap, this.tokens), this.tokens + ((t - this.last) * this.rate) / 1000);
    this.last = t;
    this.tokens -= bytes;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.rate) * 1000;
  }
}

/**
 * The late-timer allowance the link shaper gives a bucket of `rate`: 200 ms of it, at least one
 * slice; on a loaded 2-core machine timers run 50–150 ms late. (Its idle burst is one slice.)
 */
export function defaultBurst(rate: number, sliceBytes: number): number {
  return Math.max(sliceBytes, rate * 0.2);
}
