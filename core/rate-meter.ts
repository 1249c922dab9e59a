/**
 * A smoothed rate (units per second) with an exponential moving average over ~`windowMs`, fed by
 * byte counts as they happen, so `status` shows a steady number instead of per-request spikes.
 */
export class RateMeter {
  #rate = 0;
  #pending = 0;
  #last: number;
  readonly #windowMs: number;
  readonly #now: () => number;

  constructor(windowMs = 30_000, now: () => number = Date.now) {
    this.#windowMs = windowMs;
    this.#now = now;
    this.#last = now();
  }

  add(units: number): void {
    this.#roll();
    this.#pending += units;
  }

  #roll(): void {
    const now = this.#now();
    const elapsed = now - this.#last;
    if (elapsed < 1000) return;
    const instant = (this.#pending * 1000) / elapsed;
    const alpha = 1 - Math.exp(-elapsed / this.#windowMs);
    this.#rate = this.#rate + alpha * (instant - this.#rate);
    this.#pending = 0;
    this.#last = now;
  }

  /** Units per second; decays towards 0 when nothing happens. */
  get rate(): number {
    this.#roll();
    return this.#rate < 1e-6 ? 0 : this.#rate;
  }
}
