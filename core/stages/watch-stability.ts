import { stat } from "node:fs/promises";
import type { FileStat } from "../../storage/journal.js";
import { toFileStat } from "../hash/to-file-stat.js";

export interface StabilityPolicy {
  /** Only a watch job waits: a one-shot upload takes the folder as it is. */
  readonly watch: boolean;
  /** How old the mtime must be (tuning.watchStableMs). */
  readonly stableMs: number;
  readonly now: number;
}

/**
 * Watch mode hashes a file only once it has stopped changing: its mtime must be at least
 * `stableMs` old. Returns when the file may be looked at again, or null when it is stable
 * (or when the job does not watch).
 */
export function unstableUntil(observed: Pick<FileStat, "mtimeNs">, policy: StabilityPolicy): number | null {
  if (!policy.watch) return null;
  const mtimeMs = Number(BigInt(observed.mtimeNs) / 1_000_000n);
  const until = mtimeMs + policy.stableMs;
  return until > policy.now ? until : null;
}

/** The file's current stat, or null when it cannot be stat'ed (the hash worker reports why). */
export async function currentStat(absolutePath: string): Promise<FileStat | null> {
  try {
    return toFileStat(await stat(absolutePath, { bigint: true }));
  } catch {
    return null;
  }
}
