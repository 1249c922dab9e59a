import type { FileRecord } from "../../storage/journal.js";
import { onAbort } from "../abort-fanout.js";
import type { CommitStageDeps } from "../stage-deps.js";
import { buildCommit, type FileEntry } from "./build-commit.js";

/** A full batch claimed and built while the previous commit was in flight; not recorded yet. */
export interface PreparedBatch {
  readonly files: FileEntry[];
}

/**
 * Whether the next batch may be prepared while a commit is in flight: only the plain case of a
 * one-shot job of files (no refused batch being split, no deletions riding along, no pull request
 * to open first), where the next batch is simply the next `target` ready files.
 */
export function canPrefetch(ctx: CommitStageDeps, isolating: boolean): boolean {
  const o = ctx.job.options;
  return (
    !o.watch &&
    !isolating &&
    !o.deleteRemote &&
    (o.deletePatterns ?? []).length === 0 &&
    !ctx.opensPullRequest
  );
}

/**
 * While `inFlight` (a commit's POST) runs, waits until `target` files are ready (or the last files
 * of the job are), then claims and builds them (reads and checks their content): what the
 * committer did only after the answer, in
 * the gap between two commits, which on W1 (10,000 small files, commits of 1,000 in a row) was
 * 60–100 ms per commit on the chain of commits. Resolves null when the commit settles first or
 * the job halts; then the committer picks its next batch as before. Nothing is recorded here: the
 * batch is recorded as sent (commit-protocol.ts step 1) only after the previous commit's outcome,
 * so a crash meanwhile leaves leased `uploaded` files that the next run claims again.
 */
export async function prefetchBatch(
  ctx: CommitStageDeps,
  inFlight: Promise<unknown>,
  target: number,
  leaseId: string,
): Promise<PreparedBatch | null> {
  let settled = false;
  const done = inFlight.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );
  for (;;) {
    if (settled || ctx.halted) return null;
    if (nextBatchReady(ctx, target)) break;
    const wake = new AbortController();
    const off = onAbort(ctx.haltSignal, () => wake.abort());
    try {
      await Promise.race([done, ctx.wake.commit.wait(ctx.tuning.idlePollMs, wake.signal)]);
    } finally {
      wake.abort(); // no waiter or timer outlives the race
      off();
    }
  }
  const claimed: FileRecord[] = ctx.journal.files.claim({
    jobId: ctx.jobId,
    state: "uploaded",
    limit: target,
    leaseId,
    leaseMs: ctx.tuning.leaseMs,
  });
  if (claimed.length === 0) return null;
  return { files: await buildCommit(ctx, claimed, leaseId) };
}

/**
 * A full batch is ready, or the last one: nothing is left upstream (the walk ended, no file waits
 * for hashing or planning), so the files ready now are all the next commit will get.
 */
function nextBatchReady(ctx: CommitStageDeps, target: number): boolean {
  const { scanned, hashed, planned, uploaded } = ctx.journal.jobs.counts(ctx.jobId).byState;
  if (uploaded.files >= target) return true;
  return uploaded.files > 0 && scanned.files + hashed.files + planned.files === 0 && !ctx.pipeline.scanning;
}

/** Gives a prepared batch's files back (still `uploaded`): the next claim takes them again. */
export function releasePrepared(ctx: CommitStageDeps, batch: PreparedBatch | null, leaseId: string): void {
  if (batch === null) return;
  for (const e of batch.files) ctx.journal.files.releaseLease(e.file.id, leaseId);
}
