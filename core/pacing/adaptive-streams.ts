/**
 * How many upload connections to keep busy, found from the link itself (docs/engine.md "Upload
 * connections"). Object stores cap each connection, so one link may need 6 streams to fill where
 * another is full with 1: the count starts at `start` and grows by one while the measured upload
 * rate rises with it. A step that does not raise the rate by at least half the share one more
 * stream would add (`0.5 / limit`, 3 % at least) is taken back, and the count stays there: more
 * connections than help would only crowd the user's uplink. A settled count probes one step up
 * again after `reprobeWindows` windows, because links change.
 *
 * A window right after a change (and the first one of a run) may be skipped (`settleWindows`):
 * bytes are counted as they are handed to sockets, and a connection's first bytes fill its kernel
 * buffers (~5 MB on Linux loopback, seconds of a 1 MB/s connection) faster than the link carries
 * them, so such a window over-reads the rate. Judged on it, the first baseline looked 3× too high
 * and the next, honest window "fell": a useful fifth stream was taken back for 30 s (W8 scaled).
 *
 * Pure logic, fed once per measuring window by UploadStreams; no timers of its own.
 */
export interface AdaptiveStreamsOptions {
  /** Streams to begin with (the user's --workers), also the floor. */
  readonly start: number;
  /** Most streams ever (≥ start). */
  readonly max: number;
  /** Windows a settled count waits before probing one step up again (default 15). */
  readonly reprobeWindows?: number;
  /** Windows after a change (and after settle()) that are observed but neither judge nor set a baseline (default 0). */
  readonly settleWindows?: number;
  /**
   * Windows whose mean rate judges a step and sets the baseline (default 1). Parts that started
   * together end together: one window then holds several answers' held bytes and the next none,
   * and a step judged on either alone was taken back or kept at random.
   */
  readonly judgeWindows?: number;
}

export type StreamsDecision = "grow" | "keep" | "revert";

export class AdaptiveStreams {
  readonly start: number;
  readonly max: number;
  readonly #reprobeWindows: number;
  readonly #settleWindows: number;
  readonly #judgeWindows: number;
  /** Rates of the last windows at the current count (≤ judgeWindows), or of the step on trial. */
  #recent: number[] = [];
  /** Windows still to skip before the rate is read again. */
  #settling = 0;
  #limit: number;
  /** Rate at the count last accepted; null before the first full window. */
  #baseline: number | null = null;
  /** True while the last step up is on trial. */
  #probing = false;
  #settledWindows = 0;
  /** A probe failed at this count: wait before trying it again. */
  #settled = false;

  constructor(options: AdaptiveStreamsOptions) {
    if (!(Number.isInteger(options.start) && options.start >= 1))
      throw new RangeError(`AdaptiveStreams: start must be an integer ≥ 1, got ${options.start}`);
    this.start = options.start;
    this.max = Math.max(options.start, Math.floor(options.max));
    this.#reprobeWindows = options.reprobeWindows ?? 15;
    this.#settleWindows = Math.max(0, Math.floor(options.settleWindows ?? 0));
    this.#judgeWindows = Math.max(1, Math.floor(options.judgeWindows ?? 1));
    this.#limit = this.start;
  }

  get limit(): number {
    return this.#limit;
  }

  /** The least relative rise that keeps one more stream at the current count. */
  static riseNeeded(limit: number): number {
    return Math.max(0.03, 0.5 / limit);
  }

  /**
   * One measuring window ended: `rate` bytes/s were sent, and `wanted` says whether transfers
   * waited for a stream during it (more streams could have been used). Returns what was decided.
   */
  observe(rate: number, wanted: boolean): StreamsDecision {
    if (this.#settling > 0) {
      this.#settling -= 1;
      return "keep";
    }
    const decision = this.#judge(rate, wanted);
    if (decision !== "keep") this.#settling = this.#settleWindows;
    return decision;
  }

  /** Transfers (re)start after an idle stretch: the next windows fill buffers, not the link. */
  settle(): void {
    this.#settling = this.#settleWindows;
  }

  #judge(windowRate: number, wanted: boolean): StreamsDecision {
    const baseline = this.#baseline;
    this.#recent.push(windowRate);
    if (this.#recent.length > this.#judgeWindows) this.#recent.shift();
    if (this.#probing && this.#recent.length < this.#judgeWindows) return "keep"; // the trial goes on
    const rate = this.#recent.reduce((a, b) => a + b, 0) / this.#recent.length;
    if (this.#probing) {
      this.#probing = false;
      const needed = (baseline ?? 0) * (1 + AdaptiveStreams.riseNeeded(this.#limit - 1));
      // No bytes counted (transfers that do not report them, as Xet's) is no rise either.
      if (!(rate > 0 && rate >= needed)) {
        this.#limit -= 1; // the extra stream did not pay: take it back and stay
        this.#recent = [];
        this.#settled = true;
        this.#settledWindows = 0;
        return "revert";
      }
      this.#baseline = rate;
      return this.#tryGrow(wanted) ? "grow" : "keep";
    }
    this.#baseline = rate; // no step on trial: the rate now is the count's rate
    if (this.#recent.length < this.#judgeWindows) return "keep"; // a baseline of fewer windows is not one
    if (this.#settled && ++this.#settledWindows < this.#reprobeWindows) return "keep";
    this.#settled = false;
    return this.#tryGrow(wanted) ? "grow" : "keep";
  }

  #tryGrow(wanted: boolean): boolean {
    if (!wanted || this.#limit >= this.max) return false;
    this.#limit += 1;
    this.#probing = true;
    this.#recent = [];
    return true;
  }
}
