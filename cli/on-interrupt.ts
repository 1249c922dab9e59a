/**
 * Calls `handler` on each SIGINT/SIGTERM with how many have arrived so far (1 = ask nicely,
 * 2 = the user insists). Returns a function that removes the handlers.
 */
export function onInterrupt(handler: (signal: NodeJS.Signals, count: number) => void): () => void {
  let count = 0;
  const listener = (signal: NodeJS.Signals): void => {
    count += 1;
    handler(signal, count);
  };
  process.on("SIGINT", listener);
  process.on("SIGTERM", listener);
  return () => {
    process.off("SIGINT", listener);
    process.off("SIGTERM", listener);
  };
}
