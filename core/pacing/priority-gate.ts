/**
 * A concurrency limit whose waiters go largest first: a file's size buys it a head start of up to
 * MAX_HEAD_START_MS (one ms per kB: a 43 MB file goes 43 s ahead of a file queued at the same
 * time), so across the batches in transfer the slots go to big files before small ones (the
 * longest transfers first: a link is not left with one big file crawling alone at the end) while a
 * small file still waits a bounded time behind big ones queued after it, whatever job it is of.
 */
export const MAX_HEAD_START_MS = 60_000;

/**
 * Files claimed together reach the gate over a few round trips (preupload, LFS batch), and the
 * first slots chosen at a start hold their file for its whole transfer: on W8's scaled mix the
 * four slots went to the first batch's files (8–35 MiB) and the 41 MiB one, answered 0.2–0.3 s
 * later, waited 6 s for a fifth connection and ended the run alone. So when the gate is idle
 * (nothing running, nobody waiting), the first waiter holds the slots this long for the others to
 * come, and they start largest first. Only at such a start: later waiters never wait for it.
 */
export const START_GATHER_MS = 500;

interface Waiter {
  readonly key: number;
  readonly seq: number;
  readonly start: () => void;
}

export class PriorityGate {
  #concurrency: number;
  #active = 0;
  #seq = 0;
  readonly #waiting: Waiter[] = [];
  readonly #now: () => number;
  readonly #gatherMs: number;
  /** The slots are held for the files of an idle start to gather (see START_GATHER_MS). */
  #gathering = false;

  /** `gatherMs`: how long an idle start holds the slots (START_GATHER_MS for the engine; 0 = none). */
  constructor(concurrency: number, now: () => number = () => performance.now(), gatherMs = 0) {
    this.#concurrency = concurrency;
    this.#now = now;
    this.#gatherMs = gatherMs;
  }

  get activeCount(): number {
    return this.#active;
  }

  get pendingCount(): number {
    return this.#waiting.length;
  }

  get concurrency(): number {
    return this.#concurrency;
  }

  set concurrency(n: number) {
    this.#concurrency = n;
    this.#drain();
  }

  /** Runs `fn` once a slot is free; `bytes` orders the waiters (larger first, see above). */
  run<T>(fn: () => Promise<T>, bytes = 0): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const key = this.#now() - Math.min(MAX_HEAD_START_MS, bytes / 1000);
      const waiter: Waiter = {
        key,
        seq: this.#seq++,
        start: () => {
          this.#active += 1;
          fn()
            .then(resolve, reject)
            .finally(() => {
              this.#active -= 1;
              this.#drain();
            });
        },
      };
      // Binary insertion by (key, seq): the earliest key goes first, ties in arrival order.
      let lo = 0;
      let hi = this.#waiting.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        const w = this.#waiting[mid];
        if (w !== undefined && (w.key < key || (w.key === key && w.seq < waiter.seq))) lo = mid + 1;
        else hi = mid;
      }
      const idle = this.#active === 0 && this.#waiting.length === 0;
      this.#waiting.splice(lo, 0, waiter);
      if (idle && this.#gatherMs > 0) {
        this.#gathering = true;
        setTimeout(() => {
          this.#gathering = false;
          this.#drain();
        }, this.#gatherMs);
        return;
      }
      this.#drain();
    });
  }

  #drain(): void {
    if (this.#gathering) return;
    while (this.#active < this.#concurrency) {
      const next = this.#waiting.shift();
      if (next === undefined) return;
      next.start();
    }
  }
}
