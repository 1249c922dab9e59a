/**
 * A concurrency limit whose waiters go largest first: a file's size buys it a head start of up to
 * MAX_HEAD_START_MS (one ms per kB: a 43 MB file goes 43 s ahead of a file queued at the same
 * time), so across the batches in transfer the slots go to big files before small ones (the
 * longest transfers first: a link is not left with one big file crawling alone at the end) while a
 * small file still waits a bounded time behind big ones queued after it, whatever job it is of.
 */
export const MAX_HEAD_START_MS = 60_000;

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

  constructor(concurrency: number, now: () => number = () => performance.now()) {
    this.#concurrency = concurrency;
    this.#now = now;
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
      this.#waiting.splice(lo, 0, waiter);
      this.#drain();
    });
  }

  #drain(): void {
    while (this.#active < this.#concurrency) {
      const next = this.#waiting.shift();
      if (next === undefined) return;
      next.start();
    }
  }
}
