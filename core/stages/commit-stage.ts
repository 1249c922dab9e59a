import type { FileRecord, RemoteDeletion } from "../../storage/journal.js";
import { decideFailure } from "../failure-policy.js";
import type { JobContext } from "../job-context.js";
import type { CommitTracker } from "../pipeline-state.js";
import { BatchSizer } from "./batch-sizer.js";
import { buildCommit } from "./build-commit.js";
import { commitDue, everyMsOf } from "./commit-schedule.js";
import { recheckCommitted } from "./recheck-committed.js";
import { reconcileCommit } from "./reconcile-commit.js";
import { DELETIONS_PER_COMMIT, deletionsToSend } from "./remote-deletions.js";

/** The committer of one job: settles lost commits first, then commits ready files in adaptive batches. */
export async function runCommitStage(ctx: JobContext, inFlight: CommitTracker): Promise<void> {
  const { journal, tuning } = ctx.services;
  const owner = ctx.leaseId("commit");
  const state: CommitterState = {
    sizer: new BatchSizer(tuning.commitSizes, tuning.initialCommitSizeIndex, tuning.slowCommitMs),
    isolate: [],
    failures: 0,
    retryAt: 0,
  };
  while (!ctx.halted) {
    const now = ctx.services.now();
    if (now < state.retryAt) {
      await ctx.wake.commit.wait(Math.min(state.retryAt - now, tuning.idlePollMs), ctx.haltSignal);
      continue;
    }
    const unsettled = journal.commits.listUnsettled(ctx.jobId);
    if (unsettled.length > 0) {
      for (const commit of unsettled) {
        if (ctx.halted) break;
        try {
          await reconcileCommit(ctx, commit);
          state.failures = 0;
        } catch (err) {
          onCallFailure(ctx, state, err);
          break;
        }
      }
      continue;
    }
    const candidates = nextCandidates(ctx, state, owner);
    if (candidates === null) {
      await ctx.wake.commit.wait(waitMs(ctx), ctx.haltSignal);
      continue;
    }
    if (candidates.files.length > 0 || candidates.deletions.length > 0) {
      await inFlight(() => commitOnce(ctx, state, candidates, owner));
    }
  }
}

interface CommitterState {
  readonly sizer: BatchSizer;
  /** Halves of refused batches, committed separately until the bad file is isolated. */
  readonly isolate: number[][];
  failures: number;
  retryAt: number;
}

interface Candidates {
  readonly files: FileRecord[];
  /** Queued remote deletions (--delete) to ride the same commit. */
  readonly deletions: RemoteDeletion[];
}

/** The next batch, or null when no batch is due yet. */
function nextCandidates(ctx: JobContext, state: CommitterState, owner: string): Candidates | null {
  const journal = ctx.journal;
  const isolated = state.isolate.pop();
  if (isolated) {
    const files = isolated
      .map((id) => journal.files.get(id))
      .filter((f): f is FileRecord => f !== null && f.state === "uploaded");
    return { files, deletions: [] };
  }
  const counts = journal.jobs.counts(ctx.jobId).byState;
  const ready = counts.uploaded.files;
  const deleting = ctx.job.options.deleteRemote ? journal.deletions.counts(ctx.jobId).pending : 0;
  if (ready === 0 && deleting === 0) return null;
  const oldest = journal.files.oldestInState(ctx.jobId, "uploaded");
  const backlog = {
    ready: ready + deleting,
    upstream: counts.scanned.files + counts.hashed.files + counts.planned.files,
    waitedMs: oldest === null ? 0 : ctx.services.now() - oldest,
  };
  const { watch } = ctx.job.options;
  const due = commitDue({
    backlog,
    batchTarget: state.sizer.target,
    scanning: ctx.pipeline.scanning,
    watch,
    flushIntervalMs: ctx.services.tuning.flushIntervalMs,
    everyMs: everyMsOf(ctx.job.options),
    lastSentAt: watch ? journal.commits.lastSentAt(ctx.jobId) : null,
    now: ctx.services.now(),
  });
  if (!due) return null;
  const files =
    ready === 0
      ? []
      : journal.files.claim({
          jobId: ctx.jobId,
          state: "uploaded",
          limit: state.sizer.target,
          owner,
          leaseMs: ctx.services.tuning.leaseMs,
        });
  const deletions = deleting === 0 ? [] : journal.deletions.pending(ctx.jobId, DELETIONS_PER_COMMIT);
  return { files, deletions };
}

function waitMs(ctx: JobContext): number {
  // Watch jobs commit on a schedule of minutes: polling the counters each idle period is enough.
  if (ctx.job.options.watch) return ctx.services.tuning.idlePollMs;
  const oldest = ctx.journal.files.oldestInState(ctx.jobId, "uploaded");
  const { idlePollMs, flushIntervalMs } = ctx.services.tuning;
  if (oldest === null) return idlePollMs;
  return Math.max(10, Math.min(idlePollMs, oldest + flushIntervalMs - ctx.services.now()));
}

async function commitOnce(
  ctx: JobContext,
  state: CommitterState,
  candidates: Candidates,
  owner: string,
): Promise<void> {
  const built = await buildCommit(ctx, candidates.files, owner);
  let toDelete: Awaited<ReturnType<typeof deletionsToSend>>;
  try {
    toDelete = await deletionsToSend(ctx, candidates.deletions);
  } catch (err) {
    for (const f of built.files) ctx.journal.files.releaseLease(f.id, owner);
    throw err;
  }
  if (built.files.length === 0 && toDelete.deletions.length === 0) return;
  await ctx.services.commitLock(ctx.repoKey).run(async () => {
    const journal = ctx.journal;
    const budget = ctx.services.commitBudget(ctx.repoKey);
    await budget.take(1, ctx.signal);
    if (ctx.aborted) {
      for (const f of built.files) journal.files.releaseLease(f.id, owner);
      return;
    }
    const made = journal.jobs.get(ctx.jobId)?.commitsMade ?? 0;
    const message = made === 0 ? ctx.job.options.message : `${ctx.job.options.message} (part ${made + 1})`;
    // Recorded as sent before the POST: after a crash this batch is reconciled, never blindly re-sent.
    const commit = journal.commits.create(
      ctx.jobId,
      built.files.map((f) => f.id),
      message,
      toDelete.deletions.map((d) => d.id),
    );
    // Only files still ready were attached (a rescan may have reset some meanwhile), and only
    // deletions still queued (a path seen again is not deleted): send exactly those.
    const attached = new Set(journal.commits.files(commit.id).map((f) => f.id));
    const deleting = new Set(journal.deletions.forCommit(commit.id).map((d) => ctx.pathInRepo(d.path)));
    if (commit.state !== "sent" || attached.size + deleting.size === 0) return;
    const operations = [
      ...built.operations.filter((_, i) => attached.has(built.files[i]?.id ?? -1)),
      ...toDelete.operations.filter((op) => deleting.has(op.path)),
    ];
    journal.events.append("commit.sent", ctx.jobId, {
      commitId: commit.id,
      files: attached.size,
      deletions: deleting.size,
    });
    const started = ctx.services.now();
    try {
      const answer = await ctx.api(() =>
        ctx.hub.commit(ctx.repo, ctx.job.revision, { summary: message, operations }, ctx.signal),
      );
      journal.commits.recordDone(commit.id, answer.commitOid);
      journal.events.append("commit.committed", ctx.jobId, {
        commitId: commit.id,
        commitOid: answer.commitOid,
        files: attached.size,
        deletions: deleting.size,
      });
      for (const op of operations) if (op.kind === "file") ctx.uploadMeter.add(op.content.length);
      state.sizer.onSuccess(attached.size, ctx.services.now() - started);
      await recheckCommitted(
        ctx,
        built.files.filter((f) => attached.has(f.id)),
      );
      state.failures = 0;
    } catch (err) {
      const failure = decideFailure(err, { commitSent: { aborted: ctx.aborted } });
      if (failure.action === "reconcile-commit") {
        // The Hub may have applied it: settle by looking, before anything is sent again.
        journal.commits.markUnknown(commit.id, failure.info);
        journal.events.append("commit.unknown", ctx.jobId, { commitId: commit.id, code: failure.info.code });
        state.sizer.onFailure();
        return;
      }
      journal.commits.recordFailed(commit.id, failure.info);
      journal.events.append("commit.failed", ctx.jobId, { commitId: commit.id, ...failure.info });
      state.sizer.onFailure();
      if (failure.error.code === "ERR_HUB_RATE_LIMITED") budget.penalize(failure.error.retryAfterMs, 60_000);
      if (failure.action === "fail-file")
        isolateRefusal(
          ctx,
          state,
          built.files.filter((f) => attached.has(f.id)),
          failure.info,
        );
      else onCallFailure(ctx, state, err);
    }
  });
}

/** A commit refused for content: split it until the refused file stands alone, then fail only it. */
function isolateRefusal(
  ctx: JobContext,
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

function onCallFailure(ctx: JobContext, state: CommitterState, err: unknown): void {
  const failure = decideFailure(err);
  ctx.journal.jobs.recordError(ctx.jobId, failure.info);
  if (failure.action === "block-job") {
    ctx.block(failure.info);
    return;
  }
  state.failures += 1;
  state.retryAt = ctx.backoffUntil(state.failures, failure.error.retryAfterMs);
}
