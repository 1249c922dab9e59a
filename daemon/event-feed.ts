import type { Journal } from "../storage/journal.js";

interface Waiter {
  readonly afterId: number;
  readonly resolve: () => void;
}

/**
 * Wakes event-stream readers when the journal has events newer than theirs. The engine appends
 * events straight to the journal, so one shared timer polls `lastEventId()` (an indexed lookup)
 * while anyone waits, instead of every stream polling on its own.
 */
export class EventFeed {
  readonly #journal: Journal;
  readonly #pollMs: number;
  readonly #waiters = new Set<Waiter>();
  #timer: NodeJS.Timeout | null = null;
  #closed = false;

  constructor(journal: Journal, pollMs = 100) {
    this.#journal = journal;
    this.#pollMs = pollMs;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Resolves once an event with id > afterId exists, the signal aborts, or the feed closes. */
  wait(afterId: number, signal: AbortSignal): Promise<void> {
    if (this.#closed || signal.aborted || this.#journal.events.lastId() > afterId) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter: Waiter = {
        afterId,
        resolve: () => {
          this.#waiters.delete(waiter);
          signal.removeEventListener("abort", waiter.resolve);
          resolve();
        },
      };
      signal.addEventListener("abort", waiter.resolve, { once: true });
      this.#waiters.add(waiter);
      this.#schedule();
    });
  }

  /** Wakes everyone; later waits return at once. */
  close(): void {
    this.#closed = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    for (const waiter of [...this.#waiters]) waiter.resolve();
  }

  #schedule(): void {
    if (this.#timer !== null || this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      const last = this.#journal.events.lastId();
      for (const waiter of [...this.#waiters]) if (last > waiter.afterId) waiter.resolve();
      if (this.#waiters.size > 0) this.#schedule();
    }, this.#pollMs);
  }
}
