import type { RemoteDeletion } from "../../storage/journal.js";
import type { CommitOperation } from "../hub/hub-client.js";
import type { JobContext } from "../job-context.js";

/** Deletions per commit: one paths-info call checks them all (the Hub takes up to 1000 paths). */
export const DELETIONS_PER_COMMIT = 500;

/**
 * Of the queued deletions, those the Hub still holds become deletedFile operations; the others
 * (never uploaded, or already deleted by someone) are settled at once. Deleting a path the Hub
 * does not hold would make it refuse the whole commit.
 */
export async function deletionsToSend(
  ctx: JobContext,
  pending: readonly RemoteDeletion[],
): Promise<{ deletions: RemoteDeletion[]; operations: CommitOperation[] }> {
  if (pending.length === 0) return { deletions: [], operations: [] };
  const present = await presentOnHub(ctx, pending);
  const absent = pending.filter((d) => !present.has(ctx.pathInRepo(d.path)));
  if (absent.length > 0)
    ctx.journal.markDeletionsDone(
      ctx.jobId,
      absent.map((d) => d.id),
    );
  const deletions = pending.filter((d) => present.has(ctx.pathInRepo(d.path)));
  return {
    deletions,
    operations: deletions.map((d) => ({ kind: "deletedFile", path: ctx.pathInRepo(d.path) })),
  };
}

/** Reconciliation of a lost commit's deletions: those no longer on the Hub did land. */
export async function landedDeletions(ctx: JobContext, commitId: number): Promise<number[]> {
  const riding = ctx.journal.getCommitDeletions(commitId);
  if (riding.length === 0) return [];
  const present = await presentOnHub(ctx, riding);
  return riding.filter((d) => !present.has(ctx.pathInRepo(d.path))).map((d) => d.id);
}

async function presentOnHub(ctx: JobContext, deletions: readonly RemoteDeletion[]): Promise<Set<string>> {
  const present = new Set<string>();
  for (let i = 0; i < deletions.length; i += DELETIONS_PER_COMMIT) {
    const paths = deletions.slice(i, i + DELETIONS_PER_COMMIT).map((d) => ctx.pathInRepo(d.path));
    const infos = await ctx.api(() => ctx.hub.pathsInfo(ctx.repo, ctx.job.revision, paths, ctx.signal));
    for (const info of infos) if (info.type === "file") present.add(info.path);
  }
  return present;
}
