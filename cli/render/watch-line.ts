import type { JobStatusJson } from "../../daemon/job-status-json.js";
import { formatDuration } from "./format-duration.js";
import type { Style } from "./style.js";

/** "…ago" / "in …" for an ISO time relative to now; "-" when unknown. */
function relative(iso: string | null, now: number): string {
  if (iso === null) return "-";
  const seconds = Math.round((Date.parse(iso) - now) / 1000);
  if (seconds <= 0) return seconds > -1 ? "now" : `${formatDuration(-seconds)} ago`;
  return `in ${formatDuration(seconds)}`;
}

/**
 * A watch job's state: one line with how changes are found, what is pending and what is
 * scheduled, and one more with the watcher's warning if it has one. Empty for a job that does not watch.
 */
export function watchLines(job: JobStatusJson, now: number, style: Style): string[] {
  const w = job.watch;
  if (w === null) return [];
  const parts = [
    `watch: ${w.watcher === "polling" ? style.yellow("polling") : w.watcher}`,
    `last scan ${relative(w.lastScanAt, now)}`,
    `${w.pendingFiles} pending`,
    ...(job.options.delete ? [`${w.pendingDeletions} deletions pending, ${w.deletedFiles} deleted`] : []),
    `next commit ${w.nextCommitAt === null ? "when ready" : relative(w.nextCommitAt, now)}`,
    `next rescan ${relative(w.nextRescanAt, now)}`,
  ];
  const line = parts.join(" · ");
  return w.warning === null ? [line] : [line, style.yellow(`watch warning: ${w.warning}`)];
}
