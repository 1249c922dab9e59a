import type { JobContext } from "../job-context.js";

/** Default minutes between scheduled commits of a watch job (`--every`). */
export const DEFAULT_EVERY_MINUTES = 5;

export interface Backlog {
  /** Files ready to commit plus queued remote deletions. */
  readonly ready: number;
  /** Files still in scanned, hashed or planned. */
  readonly upstream: number;
  /** How long the oldest ready file has waited, ms. */
  readonly waitedMs: number;
}

/**
 * Whether a batch is due. A one-shot job commits a full batch at once, else when its oldest ready
 * file has waited `flushIntervalMs` or nothing is left upstream. A watch job commits a full batch
 * at once, else at most every `--every` minutes (from its last commit, as the journal records it,
 * so a restart does not reset the schedule), once the pipeline is drained or a file waited that long.
 */
export function commitDue(ctx: JobContext, backlog: Backlog, batchTarget: number): boolean {
  const { ready, upstream, waitedMs } = backlog;
  if (ready === 0) return false;
  if (ready >= batchTarget) return true;
  const drained = upstream === 0 && !ctx.scanning;
  if (!ctx.job.options.watch) return waitedMs >= ctx.services.tuning.flushIntervalMs || drained;
  const everyMs = everyMsOf(ctx);
  const last = ctx.journal.commits.lastSentAt(ctx.jobId);
  if (last !== null && ctx.services.now() - last < everyMs) return false;
  return drained || waitedMs >= everyMs;
}

/** When the next scheduled commit of a watch job may go, or null for a one-shot job. */
export function nextScheduledCommitAt(ctx: Pick<JobContext, "job" | "journal" | "jobId">): number | null {
  if (!ctx.job.options.watch) return null;
  const last = ctx.journal.commits.lastSentAt(ctx.jobId);
  return last === null ? null : last + everyMsOf(ctx);
}

function everyMsOf(ctx: Pick<JobContext, "job">): number {
  return (ctx.job.options.everyMinutes ?? DEFAULT_EVERY_MINUTES) * 60_000;
}
