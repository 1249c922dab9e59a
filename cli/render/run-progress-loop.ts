import { setTimeout as sleep } from "node:timers/promises";
import type { JobStatusJson } from "../../daemon/job-status-json.js";

export interface ProgressLoopOptions {
  /** Shows one frame (ProgressDisplay.draw, or NDJSON for --json). */
  readonly draw: (jobs: readonly JobStatusJson[]) => void;
  readonly poll: () => readonly JobStatusJson[] | Promise<readonly JobStatusJson[]>;
  readonly intervalMs: number;
  /** Aborting ends the loop after the current frame (no error). */
  readonly signal: AbortSignal;
  /** Ends the loop when it returns true for a frame (that frame is drawn first). */
  readonly until?: (jobs: readonly JobStatusJson[]) => boolean;
}

/** Draws a frame, waits, repeats; frames never overlap, so a slow poll just lowers the rate. */
export async function runProgressLoop(options: ProgressLoopOptions): Promise<readonly JobStatusJson[]> {
  let jobs: readonly JobStatusJson[] = [];
  while (!options.signal.aborted) {
    jobs = await options.poll();
    if (options.signal.aborted) break;
    options.draw(jobs);
    if (options.until?.(jobs) === true) break;
    try {
      await sleep(options.intervalMs, undefined, { signal: options.signal });
    } catch {
      break;
    }
  }
  return jobs;
}
