import { stat } from "node:fs/promises";
import type { FileStat } from "../../storage/journal.js";
import { toFileStat } from "../hash/to-file-stat.js";
import type { JobContext } from "../job-context.js";

/**
 * Watch mode hashes a file only once it has stopped changing: its mtime must be at least
 * `watchStableMs` old. Returns when the file may be looked at again, or null when it is stable
 * (or when the job does not watch: a one-shot upload takes the folder as it is).
 */
export function unstableUntil(ctx: JobContext, observed: FileStat): number | null {
  if (!ctx.job.options.watch) return null;
  const stableMs = ctx.services.tuning.watchStableMs;
  const mtimeMs = Number(BigInt(observed.mtimeNs) / 1_000_000n);
  const until = mtimeMs + stableMs;
  return until > ctx.services.now() ? until : null;
}

/** The file's current stat, or null when it cannot be stat'ed (the hash worker reports why). */
export async function currentStat(absolutePath: string): Promise<FileStat | null> {
  try {
    return toFileStat(await stat(absolutePath, { bigint: true }));
  } catch {
    return null;
  }
}
