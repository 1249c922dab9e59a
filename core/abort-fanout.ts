/**
 * One "abort" listener per signal, fanned out to any number of callbacks. A job's signal is
 * shared by every hash task, stage wait and Hub call in flight; each adding a listener of its own
 * piled up past Node's limit of 10 and printed MaxListenersExceededWarning (issue 12 §10). The
 * callbacks are dropped as soon as their wait ends, so nothing accumulates on a long-lived signal.
 */
const fanouts = new WeakMap<AbortSignal, Set<() => void>>();

/** Calls `listener` once when `signal` aborts; the returned function unregisters it. */
export function onAbort(signal: AbortSignal, listener: () => void): () => void {
  let listeners = fanouts.get(signal);
  if (listeners === undefined) {
    const created = new Set<() => void>();
    listeners = created;
    fanouts.set(signal, created);
    signal.addEventListener(
      "abort",
      () => {
        fanouts.delete(signal);
        for (const fn of [...created]) fn();
        created.clear();
      },
      { once: true },
    );
  }
  const set = listeners;
  set.add(listener);
  return () => {
    set.delete(listener);
  };
}

/**
 * A signal of its own that aborts with `parent` (for a library that adds its own listener per
 * call, like undici's request): `dispose` detaches it once the call is over.
 */
export function childSignal(parent: AbortSignal | undefined): {
  signal: AbortSignal | undefined;
  dispose: () => void;
} {
  if (parent === undefined) return { signal: undefined, dispose: () => {} };
  const controller = new AbortController();
  if (parent.aborted) {
    controller.abort(parent.reason);
    return { signal: controller.signal, dispose: () => {} };
  }
  const dispose = onAbort(parent, () => controller.abort(parent.reason));
  return { signal: controller.signal, dispose };
}
