import type { JobRecord } from "../storage/journal.js";
import { decideFailure } from "./failure-policy.js";
import { ensureRevision } from "./hub/ensure-revision.js";
import type { CreateRepoRequest } from "./hub/hub-client.js";
import type { JobContext } from "./job-context.js";
import { sleep } from "./sleep.js";

/** The create-repo keys the job's options ask for: `private` only when the user chose it. */
export function createRepoRequest(job: JobRecord, signal: AbortSignal): CreateRepoRequest {
  const { visibility, spaceSdk } = job.options;
  return {
    existOk: true,
    signal,
    ...(visibility === "default" ? {} : { private: visibility === "private" }),
    // A Space row from before --space-sdk has none: gradio is what `hf upload` creates.
    ...(job.repoType === "space" ? { sdk: spaceSdk ?? "gradio" } : {}),
  };
}

/**
 * Creates the repo if needed (exist_ok), then makes sure the branch exists (creating a missing one
 * from the default branch's head). Transient failures are retried until the job stops; a permanent
 * one blocks the job. Resolves true when the job may go on.
 */
export async function ensureRepo(ctx: JobContext): Promise<boolean> {
  const { job } = ctx;
  for (let attempt = 1; !ctx.halted; attempt++) {
    try {
      try {
        await ctx.api(() => ctx.hub.createRepo(ctx.repo, createRepoRequest(job, ctx.signal)));
      } catch (err) {
        // A token that may write the repo but not create repos in the namespace is fine if the repo exists.
        if (decideFailure(err).error.code !== "ERR_HUB_FORBIDDEN") throw err;
        await ctx.api(() => ctx.hub.repoInfo(ctx.repo, "main", ctx.signal));
      }
      // main always exists on the Hub; any other branch is checked (and created when missing).
      const revision =
        job.revision === "main"
          ? "exists"
          : await ctx.api(() => ensureRevision(ctx.hub, ctx.repo, job.revision, ctx.signal));
      if (revision === "created") {
        ctx.logger.info({ revision: job.revision }, "branch created from the default branch's head");
      }
      return true;
    } catch (err) {
      const failure = decideFailure(err);
      ctx.journal.jobs.recordError(ctx.jobId, failure.info);
      if (failure.action !== "retry") {
        ctx.block(failure.info);
        return false;
      }
      ctx.logger.warn({ err: failure.info, attempt }, "hub not reachable, will retry");
      await sleep(ctx.backoffUntil(attempt, failure.error.retryAfterMs) - ctx.now(), ctx.haltSignal);
    }
  }
  return false;
}
