import type { JobStatusJson } from "../../daemon/job-status-json.js";

/**
 * The lines `status`, `upload`'s progress and its summary add for --create-pr / --revision
 * refs/pr/N (the pull request's URL) and for --delete GLOB (what the remote listing matched).
 */
export function prAndDeletionLines(job: JobStatusJson): string[] {
  const lines: string[] = [];
  if (job.pullRequest !== null) lines.push(`pull request #${job.pullRequest.number}: ${job.pullRequest.url}`);
  else if (job.options.createPr) lines.push("pull request: opened by the first commit");
  const d = job.remoteDeletions;
  if (d !== null) {
    const patterns = d.patterns.join(", ");
    if (!d.listed) lines.push(`--delete ${patterns}: listing the remote files`);
    else if (d.pending + d.deleted === 0)
      lines.push(`--delete ${patterns}: no remote file matches (nothing to delete)`);
    else lines.push(`--delete ${patterns}: ${d.deleted} deleted, ${d.pending} pending`);
  }
  return lines;
}
