import type { Journal } from "../../storage/journal.js";

export interface SkippedEntry {
  readonly path: string;
  readonly code: string;
  readonly reason: string;
}

const PAGE = 500;

/**
 * The entries the scan of `jobId` found and did not upload (FIFOs, sockets, symlinks that loop or
 * leave the folder, unreadable subfolders) since event `sinceId`: the first `limit`, and how many
 * in all. They are events, not file rows, so without this `upload` would end in silence.
 */
export function skippedEntries(
  journal: Journal,
  jobId: number,
  sinceId: number,
  limit: number,
): { entries: SkippedEntry[]; total: number } {
  const entries: SkippedEntry[] = [];
  let total = 0;
  let counted = 0;
  for (let since = sinceId; ; ) {
    const page = journal.events.read(since, PAGE);
    for (const event of page) {
      if (event.jobId !== jobId) continue;
      // The scan records at most 200 of them as events; its final count has them all.
      if (event.type === "scan.finished")
        counted = Number((event.data as { skipped?: unknown }).skipped ?? 0);
      if (event.type !== "file.skipped") continue;
      total += 1;
      const data = event.data as Partial<SkippedEntry>;
      if (entries.length < limit) {
        entries.push({ path: String(data.path), code: String(data.code), reason: String(data.reason) });
      }
    }
    const last = page.at(-1);
    if (last === undefined || page.length < PAGE) break;
    since = last.id;
  }
  return { entries, total: Math.max(total, counted) };
}
