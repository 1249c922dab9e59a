import type { CommitRecord } from "../../storage/journal.js";
import { pullRequestOf } from "../pull-request-of.js";
import type { CommitStageDeps } from "../stage-deps.js";
import { findLostPullRequest } from "./pull-request.js";
import { landedDeletions } from "./remote-deletions.js";
import { remotePathsInfo } from "./remote-paths-info.js";

/**
 * Settles a commit whose answer was lost: a file whose remote entry already holds the local
 * content counts as committed; the others go back to `uploaded` and ride a later commit.
 * Nothing is re-sent before this has run, so a lost answer never becomes a duplicate commit.
 */
export async function reconcileCommit(
  ctx: CommitStageDeps,
  commit: CommitRecord,
): Promise<{ committed: number; requeued: number }> {
  if (ctx.opensPullRequest) return reconcilePullRequestCommit(ctx, commit);
  const files = ctx.journal.commits.files(commit.id);
  const remote = await remotePathsInfo(
    ctx,
    files.map((f) => ctx.pathInRepo(f.path)),
  );
  const committed = files
    .filter((f) => {
      const info = remote.get(ctx.pathInRepo(f.path));
      if (info?.type !== "file") return false;
      return f.uploadMode === "lfs" ? info.lfs?.oid === f.sha256 : info.lfs === null && info.oid === f.sha1;
    })
    .map((f) => f.id);
  const deleted = await landedDeletions(ctx, commit.id);
  ctx.journal.commits.reconcile(commit.id, committed, deleted);
  ctx.journal.events.append("commit.reconciled", ctx.jobId, {
    commitId: commit.id,
    committed: committed.length,
    requeued: files.length - committed.length,
    deleted: deleted.length,
  });
  ctx.logger.info(
    { commitId: commit.id, committed: committed.length, requeued: files.length - committed.length },
    "commit reconciled",
  );
  return { committed: committed.length, requeued: files.length - committed.length };
}

/**
 * A lost create_pr commit (pull-request.ts): if it opened a PR, that PR is journaled with the
 * commit settled as landed (one transaction) and adopted; if not, everything goes back to ready and
 * the next commit opens the PR again.
 */
async function reconcilePullRequestCommit(
  ctx: CommitStageDeps,
  commit: CommitRecord,
): Promise<{ committed: number; requeued: number }> {
  const files = ctx.journal.commits.files(commit.id);
  const deletions = ctx.journal.deletions.forCommit(commit.id);
  const num = await findLostPullRequest(ctx, commit);
  const committed = num === null ? [] : files.map((f) => f.id);
  const deleted = num === null ? [] : deletions.map((d) => d.id);
  ctx.journal.transaction(() => {
    ctx.journal.commits.reconcile(commit.id, committed, deleted);
    if (num !== null) ctx.journal.jobs.recordPullRequest(ctx.jobId, num);
  });
  if (num !== null) {
    ctx.adoptPullRequest(num);
    const url = pullRequestOf({ ...ctx.job, pullRequest: num })?.url ?? "";
    ctx.journal.events.append("pr.opened", ctx.jobId, { number: num, url });
  }
  ctx.journal.events.append("commit.reconciled", ctx.jobId, {
    commitId: commit.id,
    committed: committed.length,
    requeued: files.length - committed.length,
    deleted: deleted.length,
  });
  ctx.logger.info({ commitId: commit.id, pullRequest: num }, "pull request commit reconciled");
  return { committed: committed.length, requeued: files.length - committed.length };
}
