/**
 * Keeps up to `concurrency` items in flight: claims more as soon as one finishes, and sleeps on
 * `idle()` only when nothing is claimable and nothing is running.
 *
 * Items in flight are counted, not kept in a set raced after every finish: a Promise.race over
 * the set costs a reaction per item in flight at each wake-up, which at 128 small files in flight
 * was most of the per-file promise work (issue 16 item 1). One promise per item and one per wait.
 */
export async function pump<T>(options: {
  readonly signal: AbortSignal;
  readonly concurrency: () => number;
  readonly claim: (n: number) => T[];
  readonly work: (item: T) => Promise<void>;
  readonly idle: () => Promise<void>;
  /** Stop once nothing is claimable and nothing runs (default: keep waiting for new work). */
  readonly untilDrained?: () => boolean;
}): Promise<void> {
  let running = 0;
  let wake: (() => void) | null = null;
  const finished = (): void => {
    running -= 1;
    const w = wake;
    wake = null;
    w?.();
  };
  /** Resolves once at least one item finished since it was called. */
  const someFinished = (): Promise<void> =>
    new Promise<void>((resolve) => {
      wake = resolve;
    });
  while (!options.signal.aborted) {
    const room = options.concurrency() - running;
    const items = room > 0 ? options.claim(room) : [];
    for (const item of items) {
      running += 1;
      options.work(item).then(finished, finished);
    }
    if (items.length > 0 && running < options.concurrency()) continue;
    if (running > 0) {
      await someFinished();
      continue;
    }
    if (options.untilDrained?.()) break;
    await options.idle();
  }
  while (running > 0) await someFinished();
}
