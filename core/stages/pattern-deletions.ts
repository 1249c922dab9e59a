import { decideFailure } from "../failure-policy.js";
import { remoteGlobMatcher } from "../scan/path-filter.js";
import { sleep } from "../sleep.js";
import type { CommitStageDeps } from "../stage-deps.js";

/** The Hub's own file: never deleted by a pattern (huggingface_hub keeps it the same way). */
const GITATTRIBUTES = ".gitattributes";

/** Whether a --delete GLOB job still waits for its remote listing before its first commit. */
export function awaitsPatternListing(ctx: Pick<CommitStageDeps, "job" | "jobId" | "journal">): boolean {
  if ((ctx.job.options.deletePatterns ?? []).length === 0) return false;
  return (ctx.journal.jobs.get(ctx.jobId)?.deletionsListedAt ?? null) === null;
}

/**
 * --delete GLOB (docs/cli.md): lists the remote tree under the path in repo (recursive, every page
 * of it), matches each file's path relative to that prefix against the patterns, and queues the
 * matches as remote deletions, leaving out the paths the job uploads and `.gitattributes`. Queued
 * deletions ride the job's first commit. Runs once per job: the journal records the listing in the
 * same transaction as the queued rows. Transient Hub errors are retried until the job halts; a
 * permanent one blocks the job. Resolves true when the listing is recorded.
 */
export async function queuePatternDeletions(ctx: CommitStageDeps): Promise<boolean> {
  const patterns = ctx.job.options.deletePatterns ?? [];
  if (!awaitsPatternListing(ctx)) return true;
  const matches = remoteGlobMatcher(patterns);
  const prefix = ctx.job.pathInRepo === "" ? "" : `${ctx.job.pathInRepo}/`;
  for (let attempt = 1; !ctx.halted; attempt++) {
    try {
      const matched: string[] = [];
      let listed = 0;
      const pages = ctx.hub
        .listTree(ctx.repo, ctx.writeRevision(), { path: ctx.job.pathInRepo, signal: ctx.signal })
        [Symbol.asyncIterator]();
      for (;;) {
        const page = await ctx.api(() => pages.next());
        if (page.done === true) break;
        for (const entry of page.value) {
          if (entry.type !== "file" || !entry.path.startsWith(prefix)) continue;
          listed += 1;
          const rel = entry.path.slice(prefix.length);
          if (entry.path !== GITATTRIBUTES && matches(rel)) matched.push(rel);
        }
      }
      const queued = ctx.journal.deletions.queueListed(ctx.jobId, matched);
      ctx.journal.events.append("deletions.listed", ctx.jobId, { listed, matched: matched.length, queued });
      const fields = { patterns, listed, matched: matched.length, queued };
      if (matched.length === 0) ctx.logger.warn(fields, "no remote file matches the delete patterns");
      else ctx.logger.info(fields, "remote deletions queued");
      ctx.wake.commit.notify();
      return true;
    } catch (err) {
      const failure = decideFailure(err);
      if (ctx.halted) return false;
      ctx.journal.jobs.recordError(ctx.jobId, failure.info);
      if (failure.action !== "retry") {
        ctx.block(failure.info);
        return false;
      }
      ctx.logger.warn({ err: failure.info, attempt }, "remote listing failed, will retry");
      await sleep(ctx.backoffUntil(attempt, failure.error.retryAfterMs) - ctx.now(), ctx.haltSignal);
    }
  }
  return false;
}
