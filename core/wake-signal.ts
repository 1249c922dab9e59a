import { onAbort } from "./abort-fanout.js";
import { sleep } from "./sleep.js";

/**
 * Lets stage loops sleep until another stage produced work for them (or a timeout passes), so an
 * idle job costs no polling of the journal beyond the timeout.
 */
export class WakeSignal {
  #waiters = new Set<() => void>();

  /** Wakes every current waiter. */
  notify(): void {
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const wake of waiters) wake();
  }

  /** Waits for notify(), the timeout or the abort signal, whichever comes first. */
  async wait(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    const controller = new AbortController();
    const off = signal === undefined ? () => {} : onAbort(signal, () => controller.abort());
    const wake = (): void => controller.abort();
    this.#waiters.add(wake);
    try {
      await sleep(timeoutMs, controller.signal);
    } finally {
      this.#waiters.delete(wake);
      off();
    }
  }
}
