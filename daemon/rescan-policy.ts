import type { EngineTuning } from "../core/engine-tuning.js";
import { DEFAULT_EVERY_MINUTES } from "../core/stages/commit-schedule.js";
import type { JobRecord } from "../storage/journal.js";

/** How the daemon learns about changes in a watch job's folder. */
export type WatchMode = "starting" | "events" | "polling";

/**
 * When a watch job's next full rescan is due. With working folder events, rescans are a safety net
 * (watchers miss events: overflowed queues, network filesystems): every `watchRescanMs`, jittered
 * ±10 % so that many jobs do not walk their disks at the same moment. Without events (the watcher
 * failed), rescans are the only source of changes: every `--every` minutes. Measured from the last
 * scan the journal records, so a restart does not reset the schedule (it rescans at start anyway).
 */
export function nextRescanAt(
  job: Pick<JobRecord, "id" | "lastScanAt" | "options">,
  mode: WatchMode,
  tuning: Pick<EngineTuning, "watchRescanMs">,
): number | null {
  if (job.lastScanAt === null) return null;
  if (mode === "polling")
    return job.lastScanAt + (job.options.everyMinutes ?? DEFAULT_EVERY_MINUTES) * 60_000;
  return job.lastScanAt + Math.round(tuning.watchRescanMs * (0.9 + 0.2 * jitter(job.id, job.lastScanAt)));
}

/** A number in [0, 1) that changes with every scan but is the same for every caller. */
function jitter(jobId: number, lastScanAt: number): number {
  let h = (jobId * 0x9e3779b1) ^ lastScanAt;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return ((h ^ (h >>> 16)) >>> 0) / 2 ** 32;
}
