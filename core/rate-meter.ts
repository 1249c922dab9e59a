/**
 * A smoothed rate (units per second): the units counted in the last `windowMs`, in one-second
 * buckets, divided by the time they span. Unlike an exponential average it is right from the first
 * seconds of a job, and it falls to 0 once nothing has happened for a whole window.
 */
export class RateMeter {
  readonly #windowMs: number;
  readonly #now: () => number;
  /** [second, units] pairs, oldest first. */
  readonly #buckets: Array<[number, number]> = [];
  #first: number | null = null;

  constructor(windowMs = 20_000, now: () => number = Date.now) {
    this.#windowMs = windowMs;
    this.#now = now;
  }

  add(units: number): void {
    const now = this.#now();
    this.#first ??= now;
    const second = Math.floor(now / 1000);
    const last = this.#buckets.at(-1);
    if (last && last[0] === second) last[1] += units;
    else this.#buckets.push([second, units]);
    this.#trim(now);
  }

  #trim(now: number): void {
    const oldest = Math.floor((now - this.#windowMs) / 1000);
    while ((this.#buckets[0]?.[0] ?? oldest) < oldest) this.#buckets.shift();
  }

  /** Units per second over the window (or since the first unit, when that is more recent). */
  get rate(): number {
    const now = this.#now();
    this.#trim(now);
    if (this.#buckets.length === 0 || this.#first === null) return 0;
    const units = this.#buckets.reduce((sum, [, n]) => sum + n, 0);
    const span = Math.max(1000, Math.min(this.#windowMs, now - this.#first));
    return (units * 1000) / span;
  }
}
