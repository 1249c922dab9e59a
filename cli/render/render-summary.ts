import type { JobStatusJson } from "../../daemon/job-status-json.js";
import { formatBytes } from "./format-bytes.js";
import { formatDuration } from "./format-duration.js";
import { prAndDeletionLines } from "./pr-and-deletions.js";
import { repoUrl } from "./repo-url.js";
import type { Style } from "./style.js";
import { xetLines } from "./xet-line.js";

export interface FailedFile {
  readonly path: string;
  readonly code: string;
  readonly message: string;
}

export interface SummaryInput {
  readonly job: JobStatusJson;
  /** Commits the job had made before this run (to tell new commits apart). */
  readonly commitsBefore: number;
  readonly elapsedMs: number;
  /** The first few failed files; `job.files.failed.files` says how many there are in all. */
  readonly failures: readonly FailedFile[];
  /** Where the run logged details. */
  readonly logFile: string;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;

/** The final report of `hubpush upload`: what ended where, the failures, and where to look. */
export function renderSummary(input: SummaryInput, style: Style): string[] {
  const { job } = input;
  const f = job.files;
  const newCommits = job.commits - input.commitsBefore;
  const title =
    job.state === "blocked"
      ? style.red("blocked")
      : f.failed.files > 0
        ? style.yellow("done with failures")
        : job.state === "done"
          ? style.green("done")
          : job.state;
  const counts = [
    `committed ${plural(f.committed.files, "file")} (${formatBytes(f.committed.bytes)})`,
    `skipped ${f.skipped.files} (already on the Hub)`,
    `ignored ${f.ignored.files}`,
    f.failed.files > 0 ? style.red(`failed ${f.failed.files}`) : "failed 0",
    ...(f.vanished.files > 0 ? [`vanished ${f.vanished.files} (deleted meanwhile)`] : []),
  ];
  const lines = [
    `${title}: ${job.folder} → ${job.repo.id} (${job.repo.type}@${job.repo.revision})${job.repo.movedTo === null ? "" : `, moved on the Hub to ${job.repo.movedTo}`}`,
    `  ${counts.join(" · ")}`,
    `  ${plural(newCommits, "new commit")} (${job.commits} in all) · hashed ${formatBytes(
      job.bytesHashed,
    )} · elapsed ${formatDuration(input.elapsedMs / 1000)}`,
    `  ${repoUrl(job.repo, job.kind)}`,
    ...prAndDeletionLines(job).map((l) => `  ${l}`),
    ...xetLines(job, style).map((l) => `  ${l}`),
  ];
  if (f.failed.files > 0) {
    lines.push(style.red(`  ${plural(f.failed.files, "file")} could not be uploaded:`));
    for (const failure of input.failures) {
      lines.push(`    ${failure.path}: ${failure.message} (${failure.code})`);
    }
    const more = f.failed.files - input.failures.length;
    if (more > 0) lines.push(`    … and ${more} more`);
    lines.push(
      "  fix them (or exclude them with --exclude), then run the same command again: committed files are not sent twice",
    );
  }
  if (job.blocked !== null || f.failed.files > 0) lines.push(style.dim(`  details: ${input.logFile}`));
  return lines;
}
