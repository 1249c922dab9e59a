import type { RemoteDeletion } from "../../storage/journal.js";
import type { CommitOperation } from "../hub/hub-client.js";
import type { CommitStageDeps } from "../stage-deps.js";
import { remotePathsInfo } from "./remote-paths-info.js";

/** One queued deletion of a batch and its deletedFile operation, kept together. */
export interface DeletionEntry {
  readonly deletion: RemoteDeletion;
  readonly operation: CommitOperation;
}

/** Deletions per commit: one paths-info call checks them all. */
export const DELETIONS_PER_COMMIT = 500;

/**
 * Of the queued deletions, those the Hub still holds become deletedFile operations; the others
 * (never uploaded, or already deleted by someone) are settled at once. Deleting a path the Hub
 * does not hold would make it refuse the whole commit.
 */
export async function deletionsToSend(
  ctx: CommitStageDeps,
  pending: readonly RemoteDeletion[],
): Promise<DeletionEntry[]> {
  if (pending.length === 0) return [];
  const present = await presentOnHub(ctx, pending);
  const absent = pending.filter((d) => !present.has(ctx.pathInRepo(d.path)));
  if (absent.length > 0)
    ctx.journal.deletions.markDone(
      ctx.jobId,
      absent.map((d) => d.id),
    );
  return pending
    .filter((d) => present.has(ctx.pathInRepo(d.path)))
    .map((deletion) => ({
      deletion,
      operation: { kind: "deletedFile", path: ctx.pathInRepo(deletion.path) },
    }));
}

/** Reconciliation of a lost commit's deletions: those no longer on the Hub did land. */
export async function landedDeletions(ctx: CommitStageDeps, commitId: number): Promise<number[]> {
  const riding = ctx.journal.deletions.forCommit(commitId);
  if (riding.length === 0) return [];
  const present = await presentOnHub(ctx, riding);
  return riding.filter((d) => !present.has(ctx.pathInRepo(d.path))).map((d) => d.id);
}

async function presentOnHub(
  ctx: CommitStageDeps,
  deletions: readonly RemoteDeletion[],
): Promise<Set<string>> {
  const remote = await remotePathsInfo(
    ctx,
    deletions.map((d) => ctx.pathInRepo(d.path)),
  );
  return new Set([...remote.values()].filter((info) => info.type === "file").map((info) => info.path));
}
