/** Test helper: recounts a job's files with a raw GROUP BY and compares with getJobCounts. */
import type Database from "better-sqlite3";
import { FILE_STATES, type JobCounts } from "../../storage/journal.js";
import type { TapTest } from "./contract/contract-helpers.js";

interface RecountRow {
  state: string;
  files: number;
  bytes: number;
  waiting: number;
}

export function recountMatches(t: TapTest, raw: Database.Database, jobId: number, counts: JobCounts): void {
  const rows = raw
    .prepare(
      "SELECT state, COUNT(*) AS files, TOTAL(size) AS bytes, SUM(next_attempt_at IS NOT NULL) AS waiting " +
        "FROM files WHERE job_id = ? GROUP BY state",
    )
    .all(jobId) as RecountRow[];
  const byState = new Map(rows.map((row) => [row.state, row]));
  for (const state of FILE_STATES) {
    const row = byState.get(state);
    t.same(counts.byState[state], { files: row?.files ?? 0, bytes: row?.bytes ?? 0 }, `recount of ${state}`);
  }
  t.equal(
    counts.waiting,
    rows.reduce((sum, row) => sum + row.waiting, 0),
    "recount of waiting",
  );
}
