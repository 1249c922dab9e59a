import v8 from "node:v8";
import type { Worker } from "node:worker_threads";

/**
 * Semi-space of a Xet pass thread's young generation (its new space is twice this). The process
 * runs with `--max-semi-space-size=8` (common/heap-limits.ts, for the main thread), and V8 applies
 * that flag to every isolate, over the worker's `resourceLimits.maxYoungGenerationSizeMb`: each pass
 * thread's new space grew to 16 MB holding 3–5 MB (v8.getHeapSpaceStatistics on W2x 4 × 1 GiB),
 * 24 MB of the process's peak RSS for two threads. A pass allocates little that lives (its chunk
 * state is in ArrayBuffers), so a 2 MiB semi-space costs a few more scavenges of a small live set.
 */
export const XET_WORKER_SEMI_SPACE_MB = 2;

/** Threads being started under the lowered flag; the flag goes back when the last one is up. */
let starting = 0;

/**
 * Starts a worker with V8's max semi-space set to `mb` for its isolate only: V8 reads the flag when
 * an isolate's heap is configured, so it is lowered while the thread starts (Node keeps V8 flags
 * writable after start-up) and set back to the process's own value once the thread is online (or
 * failed). The main thread's heap was configured at start-up and keeps its size.
 */
export function startWithSemiSpace(mb: number, start: () => Worker): Worker {
  if (starting++ === 0) v8.setFlagsFromString(`--max-semi-space-size=${mb}`);
  let done = false;
  const restore = (): void => {
    if (done) return;
    done = true;
    if (--starting === 0) v8.setFlagsFromString(`--max-semi-space-size=${processSemiSpaceMb()}`);
  };
  try {
    const worker = start();
    worker.once("online", restore);
    worker.once("error", restore);
    worker.once("exit", restore);
    return worker;
  } catch (err) {
    restore();
    throw err;
  }
}

/** The process's --max-semi-space-size (command line over NODE_OPTIONS); 0, V8's "choose", when unset. */
export function processSemiSpaceMb(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions = process.env.NODE_OPTIONS ?? "",
): number {
  let mb = 0;
  const args = [...nodeOptions.split(/\s+/), ...execArgv];
  for (let i = 0; i < args.length; i++) {
    const m = (args[i] ?? "").match(/^--max[-_]semi[-_]space[-_]size(?:=(\d+))?$/);
    if (m === null) continue;
    const value = m[1] ?? args[i + 1];
    if (value !== undefined && /^\d+$/.test(value)) mb = Number(value);
  }
  return mb;
}
