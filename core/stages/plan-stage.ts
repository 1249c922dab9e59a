import { HubpushError } from "../../common/hubpush-error.js";
import type { FileRecord, PlanResult } from "../../storage/journal.js";
import { decideFailure } from "../failure-policy.js";
import type { PreuploadAnswer } from "../hub/hub-client.js";
import type { PlanStageDeps } from "../stage-deps.js";
import { PARTIAL_BATCH_WAIT_MS, planBatchDue } from "./plan-batching.js";
import { preuploadGitignore } from "./preupload-gitignore.js";

/** Asks the Hub how each hashed file must travel (preupload), ≤ preuploadBatch paths per call. */
export async function runPlanStage(ctx: PlanStageDeps, loop: number): Promise<void> {
  const leaseId = ctx.leaseId("plan", loop);
  const { journal, tuning } = ctx;
  const readGitIgnore = await preuploadGitignore(ctx);
  while (!ctx.halted) {
    if (!batchDue(ctx)) {
      await ctx.wake.plan.wait(PARTIAL_BATCH_WAIT_MS, ctx.haltSignal);
      continue;
    }
    const files = journal.files.claim({
      jobId: ctx.jobId,
      state: "hashed",
      limit: tuning.preuploadBatch,
      leaseId,
      leaseMs: tuning.leaseMs,
    });
    if (files.length === 0) {
      await ctx.wake.plan.wait(tuning.idlePollMs, ctx.haltSignal);
      continue;
    }
    await planBatch(ctx, files, leaseId, await readGitIgnore());
  }
}

function batchDue(ctx: PlanStageDeps): boolean {
  const counts = ctx.journal.jobs.counts(ctx.jobId).byState;
  return planBatchDue({
    hashed: counts.hashed.files,
    hashedBytes: counts.hashed.bytes,
    uploadIdle: ctx.uploadStreams.idle,
    scanned: counts.scanned.files,
    scanning: ctx.pipeline.scanning,
    batchSize: ctx.tuning.preuploadBatch,
    oldestHashedAt: () => ctx.journal.files.oldestInState(ctx.jobId, "hashed"),
    now: ctx.now(),
  });
}

async function planBatch(
  ctx: PlanStageDeps,
  batch: FileRecord[],
  leaseId: string,
  gitIgnore: string | undefined,
): Promise<void> {
  const files = refuseInvalidPaths(ctx, batch, leaseId);
  if (files.length === 0) return;
  let answers: PreuploadAnswer[];
  try {
    answers = await ctx.api(() =>
      ctx.hub.preupload(
        ctx.repo,
        ctx.writeRevision(),
        files.map((f) => ({ path: ctx.pathInRepo(f.path), sample: f.sample ?? "", size: f.size })),
        {
          ...(gitIgnore === undefined ? {} : { gitIgnore }),
          signal: ctx.signal,
          // Before its PR is open, a --create-pr job asks as the PR's opener (read access suffices).
          ...(ctx.opensPullRequest ? { createPr: true } : {}),
        },
      ),
    );
  } catch (err) {
    // A refusal of a whole batch may be about one path: ask again one by one to isolate it.
    if (files.length > 1 && decideFailure(err).action === "fail-file") {
      for (const f of files) await planBatch(ctx, [f], leaseId, gitIgnore);
      return;
    }
    ctx.recordFailure(files, leaseId, err);
    return;
  }
  const plans: PlanResult[] = files.map((f, i) => toPlan(f, answers[i]));
  ctx.journal.stages.recordPlans(leaseId, plans);
  if (plans.some((p) => p.next === "planned")) ctx.wake.upload.notify();
  if (plans.some((p) => p.next === "uploaded")) ctx.wake.commit.notify();
  if (plans.some((p) => p.next === "skipped" || p.next === "ignored")) ctx.wake.commit.notify();
}

/**
 * The Hub refuses a whole preupload batch for one path with a control character (a newline, a tab):
 * fail that file here, by name and with what to do, instead of asking the Hub. Returns the others.
 */
function refuseInvalidPaths(ctx: PlanStageDeps, files: FileRecord[], leaseId: string): FileRecord[] {
  const valid: FileRecord[] = [];
  for (const file of files) {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what the Hub refuses
    if (!/[\x00-\x1f\x7f]/.test(file.path)) {
      valid.push(file);
      continue;
    }
    const error = new HubpushError(
      "ERR_PATH_INVALID",
      `${JSON.stringify(file.path)} has a control character (newline, tab, …) in its name, which the Hub refuses in paths: rename it or leave it out with --exclude`,
    );
    ctx.recordFailure([file], leaseId, error);
  }
  return valid;
}

function toPlan(file: FileRecord, answer: PreuploadAnswer | undefined): PlanResult {
  // The client guarantees one answer per path; an empty file always travels inline (S3 refuses 0 bytes).
  const uploadMode = file.size === 0 || answer === undefined ? "regular" : answer.uploadMode;
  const remoteOid = answer?.oid ?? null;
  let next: PlanResult["next"];
  if (answer?.shouldIgnore) next = "ignored";
  else if (remoteOid !== null && (remoteOid === file.sha256 || remoteOid === file.sha1)) next = "skipped";
  else next = uploadMode === "lfs" ? "planned" : "uploaded";
  return { fileId: file.id, uploadMode, remoteOid, next };
}
