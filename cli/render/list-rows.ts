import type { JobStatusJson } from "../../daemon/job-status-json.js";

/** One row per job: id, state, repo, done/total files, last error. */
export function listRows(jobs: readonly JobStatusJson[]): string[] {
  const rows = jobs.map((job) => {
    const f = job.files;
    const done = f.committed.files + f.skipped.files + f.ignored.files;
    const error = job.blocked ?? job.lastError;
    return [
      String(job.id),
      job.state,
      `${job.repo.type === "model" ? "" : `${job.repo.type}s/`}${job.repo.id}@${job.repo.revision}`,
      `${done}/${job.total.files}`,
      error === null ? "" : `${error.message} (${error.code})`,
    ];
  });
  const header = ["ID", "STATE", "REPO", "DONE/TOTAL", "LAST ERROR"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  return [header, ...rows].map((cells) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd(),
  );
}
