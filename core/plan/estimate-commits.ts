import type { EngineTuning } from "../engine-tuning.js";
import { BatchSizer } from "../stages/batch-sizer.js";

export interface CommitItem {
  /** Bytes the commit carries inline (regular files); 0 for LFS files (a pointer). */
  readonly inlineBytes: number;
}

/**
 * How many commits the upload would make, with the committer's rules (commit-stage.ts,
 * build-commit.ts): batches of the adaptive size (batch-sizer.ts, assuming commits are fast so it
 * grows after each full batch), closed early when inline bytes would pass the per-commit cap;
 * remote deletions ride in the first commit. Nothing to commit: 0.
 */
export function estimateCommits(
  items: readonly CommitItem[],
  deletions: number,
  tuning: Pick<
    EngineTuning,
    "commitSizes" | "initialCommitSizeIndex" | "slowCommitMs" | "maxInlineBytesPerCommit"
  >,
): number {
  if (items.length === 0) return deletions > 0 ? 1 : 0;
  const sizer = new BatchSizer(tuning.commitSizes, tuning.initialCommitSizeIndex, tuning.slowCommitMs);
  let commits = 0;
  let next = 0;
  while (next < items.length) {
    const target = sizer.target;
    let taken = 0;
    let inline = 0;
    while (next < items.length && taken < target) {
      const bytes = items[next]?.inlineBytes ?? 0;
      if (bytes > 0 && inline > 0 && inline + bytes > tuning.maxInlineBytesPerCommit) break;
      inline += bytes;
      taken += 1;
      next += 1;
    }
    commits += 1;
    sizer.onSuccess(taken, 0);
  }
  return commits;
}
