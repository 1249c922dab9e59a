/**
 * Keeps up to `concurrency` items in flight: claims more as soon as one finishes, and sleeps on
 * `idle()` only when nothing is claimable and nothing is running.
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
  const running = new Set<Promise<void>>();
  while (!options.signal.aborted) {
    const room = options.concurrency() - running.size;
    const items = room > 0 ? options.claim(room) : [];
    for (const item of items) {
      const p: Promise<void> = options
        .work(item)
        .catch(() => {})
        .finally(() => running.delete(p));
      running.add(p);
    }
    if (items.length > 0 && running.size < options.concurrency()) continue;
    if (running.size > 0) {
      await Promise.race(running);
      continue;
    }
    if (options.untilDrained?.()) break;
    await options.idle();
  }
  await Promise.allSettled(running);
}
