import type { FileRecord, RemoteDeletion } from "../../storage/journal.js";
import { decideFailure, type FailureDecision } from "../failure-policy.js";
import type { CommitTracker } from "../pipeline-state.js";
import type { CommitStageDeps } from "../stage-deps.js";
import { BatchSizer } from "./batch-sizer.js";
import { buildCommit, type FileEntry } from "./build-commit.js";
import { canPrefetch, type PreparedBatch, prefetchBatch, releasePrepared } from "./commit-prefetch.js";
import { recordOutcome, recordSent, send } from "./commit-protocol.js";
import { commitDue, everyMsOf } from "./commit-schedule.js";
import { awaitsPatternListing } from "./pattern-deletions.js";
import { recordPullRequestFloor } from "./pull-request.js";
import { recheckCommitted } from "./recheck-committed.js";
import { reconcileCommit } from "./reconcile-commit.js";
import { DELETIONS_PER_COMMIT, type DeletionEntry, deletionsToSend } from "./remote-deletions.js";

/** The committer of one job: settles lost commits first, then commits ready files in adaptive batches. */
export async function runCommitStage(ctx: CommitStageDeps, inFlight: CommitTracker): Promise<void> {
  const { tuning } = ctx;
  const leaseId = ctx.leaseId("commit");
  const state: CommitterState = {
    sizer: new BatchSizer(tuning.commitSizes, tuning.initialCommitSizeIndex, tuning.slowCommitMs),
    isolate: [],
    failures: 0,
    retryAt: 0,
    floorRecorded: false,
    prepared: null,
  };
  try {
    await commitLoop(ctx, inFlight, state, leaseId);
  } finally {
    // Halted with a batch prepared and not sent: its files are still `uploaded`; free them now.
    releasePrepared(ctx, state.prepared, leaseId);
    state.prepared = null;
  }
}

async function commitLoop(
  ctx: CommitStageDeps,
  inFlight: CommitTracker,
  state: CommitterState,
  leaseId: string,
): Promise<void> {
  const { journal, tuning } = ctx;
  while (!ctx.halted) {
    const now = ctx.now();
    if (now < state.retryAt) {
      await ctx.wake.commit.wait(Math.min(state.retryAt - now, tuning.idlePollMs), ctx.haltSignal);
      continue;
    }
    const unsettled = journal.commits.listUnsettled(ctx.jobId);
    if (unsettled.length > 0) {
      releasePrepared(ctx, state.prepared, leaseId);
      state.prepared = null;
      for (const commit of unsettled) {
        if (ctx.halted) break;
        try {
          // failures is not reset here: a commit lost to a 5xx is reconciled and sent again, and
          // only a landed commit ends the backoff (else a failing Hub is retried in a hot loop).
          await reconcileCommit(ctx, commit);
        } catch (err) {
          onCallFailure(ctx, state, decideFailure(err));
          break;
        }
      }
      continue;
    }
    const prepared = state.prepared;
    if (prepared !== null) {
      state.prepared = null;
      await inFlight(() => commitOnce(ctx, state, NO_CANDIDATES, leaseId, prepared));
      continue;
    }
    const candidates = nextCandidates(ctx, state, leaseId);
    if (candidates === null) {
      await ctx.wake.commit.wait(waitMs(ctx), ctx.haltSignal);
      continue;
    }
    if (candidates.files.length > 0 || candidates.deletions.length > 0) {
      await inFlight(() => commitOnce(ctx, state, candidates, leaseId));
    }
  }
}

interface CommitterState {
  readonly sizer: BatchSizer;
  /** Halves of refused batches, committed separately until the bad file is isolated. */
  readonly isolate: number[][];
  failures: number;
  retryAt: number;
  /** --create-pr: the discussion floor was journaled in this run (pull-request.ts). */
  floorRecorded: boolean;
  /** The next batch, claimed and built while the last commit was in flight (commit-prefetch.ts). */
  prepared: PreparedBatch | null;
}

const NO_CANDIDATES: Candidates = { files: [], deletions: [] };

interface Candidates {
  readonly files: FileRecord[];
  /** Queued remote deletions (--delete) to ride the same commit. */
  readonly deletions: RemoteDeletion[];
}

/** The next batch, or null when no batch is due yet. */
function nextCandidates(ctx: CommitStageDeps, state: CommitterState, leaseId: string): Candidates | null {
  const journal = ctx.journal;
  const isolated = state.isolate.pop();
  if (isolated) {
    const files = isolated
      .map((id) => journal.files.get(id))
      .filter((f): f is FileRecord => f !== null && f.state === "uploaded");
    return { files, deletions: [] };
  }
  const patterns = (ctx.job.options.deletePatterns ?? []).length > 0;
  // --delete GLOB: nothing is committed before the remote listing is queued and the folder was
  // walked in this run, so the matched deletions ride the first commit and spare uploaded paths.
  if (patterns && awaitsPatternListing(ctx)) return null;
  const counts = journal.jobs.counts(ctx.jobId).byState;
  const ready = counts.uploaded.files;
  const deleting = ctx.job.options.deleteRemote || patterns ? journal.deletions.counts(ctx.jobId).pending : 0;
  if (patterns && deleting > 0 && !ctx.pipeline.scannedOnce) return null;
  if (ready === 0 && deleting === 0) return null;
  const oldest = journal.files.oldestInState(ctx.jobId, "uploaded");
  const backlog = {
    ready: ready + deleting,
    upstream: counts.scanned.files + counts.hashed.files + counts.planned.files,
    waitedMs: oldest === null ? 0 : ctx.now() - oldest,
  };
  const { watch } = ctx.job.options;
  const due = commitDue({
    backlog,
    batchTarget: state.sizer.target,
    scanning: ctx.pipeline.scanning,
    watch,
    flushIntervalMs: ctx.tuning.flushIntervalMs,
    everyMs: everyMsOf(ctx.job.options),
    lastSentAt: watch ? journal.commits.lastSentAt(ctx.jobId) : null,
    now: ctx.now(),
  });
  if (!due) return null;
  const files =
    ready === 0
      ? []
      : journal.files.claim({
          jobId: ctx.jobId,
          state: "uploaded",
          limit: state.sizer.target,
          leaseId,
          leaseMs: ctx.tuning.leaseMs,
        });
  // Pattern deletions all go in one (the first) commit; mirrored ones in slices.
  const limit = patterns ? Number.MAX_SAFE_INTEGER : DELETIONS_PER_COMMIT;
  const deletions = deleting === 0 ? [] : journal.deletions.pending(ctx.jobId, limit);
  return { files, deletions };
}

function waitMs(ctx: CommitStageDeps): number {
  // Watch jobs commit on a schedule of minutes: polling the counters each idle period is enough.
  if (ctx.job.options.watch) return ctx.tuning.idlePollMs;
  const oldest = ctx.journal.files.oldestInState(ctx.jobId, "uploaded");
  const { idlePollMs, flushIntervalMs } = ctx.tuning;
  if (oldest === null) return idlePollMs;
  return Math.max(10, Math.min(idlePollMs, oldest + flushIntervalMs - ctx.now()));
}

/** Builds the batch, then runs the commit protocol's steps (commit-protocol.ts) under the repo's lock. */
async function commitOnce(
  ctx: CommitStageDeps,
  state: CommitterState,
  candidates: Candidates,
  leaseId: string,
  prepared: PreparedBatch | null = null,
): Promise<void> {
  const files: FileEntry[] = prepared?.files ?? (await buildCommit(ctx, candidates.files, leaseId));
  let deletions: DeletionEntry[];
  try {
    deletions = await deletionsToSend(ctx, candidates.deletions);
  } catch (err) {
    for (const e of files) ctx.journal.files.releaseLease(e.file.id, leaseId);
    throw err;
  }
  if (files.length === 0 && deletions.length === 0) return;
  await ctx.commitLock().run(async () => {
    const budget = ctx.commitBudget();
    // Waiting for the commit budget is not work in flight: a pause or stop ends the wait (the
    // files are claimed again on resume), instead of holding the job for up to 36 s per token.
    await budget.take(1, ctx.haltSignal);
    if (ctx.halted) {
      for (const e of files) ctx.journal.files.releaseLease(e.file.id, leaseId);
      return;
    }
    if (ctx.opensPullRequest && !state.floorRecorded) {
      // Before the first create_pr commit is recorded as sent (pull-request.ts).
      try {
        await recordPullRequestFloor(ctx);
        state.floorRecorded = true;
      } catch (err) {
        for (const e of files) ctx.journal.files.releaseLease(e.file.id, leaseId);
        onCallFailure(ctx, state, decideFailure(err));
        return;
      }
    }
    const sent = recordSent(ctx, { files, deletions });
    if (sent === null) return;
    const started = ctx.now();
    const sending = send(ctx, sent);
    // The next batch is claimed and built while this one is in flight (commit-prefetch.ts).
    const next = canPrefetch(ctx, state.isolate.length > 0)
      ? prefetchBatch(ctx, sending, state.sizer.targetAfterFast(sent.batch.files.length), leaseId)
      : Promise.resolve(null);
    const outcome = await sending;
    recordOutcome(ctx, sent, outcome);
    const prepared = await next;
    // Only after a landed commit: any other outcome is settled first, as before.
    if (outcome.kind === "committed" && !ctx.halted) state.prepared = prepared;
    else releasePrepared(ctx, prepared, leaseId);
    if (outcome.kind === "committed") {
      ctx.wake.hash.notify(); // hashing may be holding until commits catch up (hash-stage.ts)
      for (const e of sent.batch.files) if (e.operation.kind === "file") ctx.uploadMeter.add(e.file.size);
      state.sizer.onSuccess(sent.batch.files.length, ctx.now() - started);
      await recheckCommitted(
        ctx,
        sent.batch.files.map((e) => e.file),
      );
      state.failures = 0;
      return;
    }
    state.sizer.onFailure();
    const { error, info } = outcome.failure;
    if (outcome.kind === "unknown") {
      // The backoff keeps a Hub that answers 5xx to every commit from being retried at once, each
      // try spending the repo's commit budget. The batch is reconciled now, so its files wait as
      // `uploaded` (not `sent`) meanwhile; if that fails too, the loop reconciles it after the backoff.
      if (ctx.aborted) return; // a stop cut it off: the next run reconciles it
      onCallFailure(ctx, state, outcome.failure);
      await reconcileCommit(ctx, sent.commit).catch((err: unknown) =>
        ctx.logger.warn(
          { err, commitId: sent.commit.id },
          "reconcile after a lost commit failed; retried later",
        ),
      );
      return;
    }
    if (error.code === "ERR_HUB_RATE_LIMITED") budget.penalize(error.retryAfterMs, 60_000);
    if (outcome.kind === "refused")
      isolateRefusal(
        ctx,
        state,
        sent.batch.files.map((e) => e.file),
        info,
      );
    else onCallFailure(ctx, state, outcome.failure);
  });
}

/** A commit refused for content: split it until the refused file stands alone, then fail only it. */
function isolateRefusal(
  ctx: CommitStageDeps,
  state: CommitterState,
  files: FileRecord[],
  info: { code: string; message: string },
): void {
  const only = files[0];
  if (files.length === 1 && only) {
    ctx.journal.stages.recordPermanentFailure([only.id], null, info);
    ctx.journal.events.append("file.failed", ctx.jobId, { path: only.path, ...info });
    return;
  }
  const half = Math.ceil(files.length / 2);
  state.isolate.push(
    files.slice(half).map((f) => f.id),
    files.slice(0, half).map((f) => f.id),
  );
}

function onCallFailure(ctx: CommitStageDeps, state: CommitterState, failure: FailureDecision): void {
  ctx.journal.jobs.recordError(ctx.jobId, failure.info);
  if (failure.action === "block-job") {
    ctx.block(failure.info);
    return;
  }
  state.failures += 1;
  state.retryAt = ctx.backoffUntil(state.failures, failure.error.retryAfterMs);
}
