import { HubpushError } from "../../common/hubpush-error.js";
import type { FileRecord, StoredLfsPlan } from "../../storage/journal.js";
import type { LfsBatchAnswer } from "../hub/hub-client.js";
import { uploadBasic } from "../lfs/upload-basic.js";
import { uploadMultipart } from "../lfs/upload-multipart.js";
import type { UploadStageDeps } from "../stage-deps.js";
import { XetSession } from "../xet/xet-session.js";
import { checkLfsAnswer, offerXet, sendXet } from "../xet/xet-transfer.js";

/** A plan whose URLs expire within this margin is not resumed: a fresh one is asked for. */
const EXPIRY_MARGIN_MS = 5 * 60_000;

/** Batches one upload loop keeps in transfer at once (see runUploadStage). */
const BATCHES_PER_LOOP = 2;
/** …and up to this many while fewer than WAITING_FILES_AHEAD claimed files wait for a file slot. */
const MAX_BATCHES_PER_LOOP = 6;
const WAITING_FILES_AHEAD = 100;

/**
 * Uploads `planned` LFS objects: one LFS batch call per group, then transfers in shared slots. A
 * loop claims its next group as soon as an upload connection is free, not once every file of the
 * last one is done: W8's 3rd and 4th files (planned at 2 s) waited 35 s for the two loops' first
 * files to finish, each loop's batch ending on one file's parts. At most BATCHES_PER_LOOP groups
 * per loop are in transfer, so claims (and their leases and signed URLs) run only a little ahead.
 * A loop does not wait for a free connection to claim: file slots go largest first only among the
 * files claimed, and W8's mix had its biggest file claimed 6 s late, when a fifth connection opened.
 * Claimed as soon as planned, batches are small (a few files each): past 2 per loop, more are
 * claimed while few files wait for a slot, or the mix's 41 MiB file, in the fifth batch, waited
 * 30 s for a whole batch to end.
 */
export async function runUploadStage(ctx: UploadStageDeps, loop: number): Promise<void> {
  const leaseId = ctx.leaseId("upload", loop);
  const { journal, tuning } = ctx;
  const xet = new XetSession(ctx.hub.xet, () => ctx.now(), ctx.logger);
  const running = new Set<Promise<void>>();
  let failure: { error: unknown } | null = null;
  try {
    while (!ctx.halted && failure === null) {
      const ahead = running.size >= BATCHES_PER_LOOP && ctx.uploadStreams.filesWaiting >= WAITING_FILES_AHEAD;
      if (running.size >= MAX_BATCHES_PER_LOOP || ahead) {
        await Promise.race([...running, ctx.uploadStreams.whenRoom()]);
        continue;
      }
      const files = journal.files.claim({
        jobId: ctx.jobId,
        state: "planned",
        limit: tuning.lfsBatch,
        leaseId,
        leaseMs: tuning.leaseMs,
        uploadMode: "lfs",
      });
      if (files.length === 0) {
        const woken = ctx.wake.upload.wait(tuning.idlePollMs, ctx.haltSignal);
        await (running.size > 0 ? Promise.race([...running, woken]) : woken);
        continue;
      }
      const batch: Promise<void> = uploadBatch(ctx, files, leaseId, xet)
        .then(() => ctx.wake.commit.notify())
        .catch((error: unknown) => {
          failure ??= { error };
        })
        .finally(() => running.delete(batch));
      running.add(batch);
    }
  } finally {
    await Promise.all(running);
  }
  if (failure !== null) throw (failure as { error: unknown }).error;
}

async function uploadBatch(
  ctx: UploadStageDeps,
  files: FileRecord[],
  leaseId: string,
  xet: XetSession,
): Promise<void> {
  const journal = ctx.journal;
  const now = ctx.now();
  const resumable: Array<[FileRecord, StoredLfsPlan]> = [];
  const fresh: FileRecord[] = [];
  for (const file of files) {
    const plan = journal.lfs.getPlan(file.id);
    const valid =
      plan !== null &&
      plan.oid === file.sha256 &&
      (plan.expiresAt === null || plan.expiresAt - EXPIRY_MARGIN_MS > now);
    if (plan !== null && !valid) journal.lfs.deletePlan(file.id);
    if (plan !== null && valid) resumable.push([file, plan]);
    else fresh.push(file);
  }
  const transfers: Promise<void>[] = resumable.map(([file, plan]) =>
    transfer(ctx, file, leaseId, () => ctx.withUploadSlot(() => uploadMultipart(ctx, file, plan), file.size)),
  );
  if (fresh.length > 0) {
    let answers: LfsBatchAnswer[] = [];
    try {
      answers = await ctx.api(() =>
        ctx.hub.lfsBatch(
          ctx.repo,
          ctx.writeRevision(),
          fresh.map((f) => ({ oid: f.sha256 ?? "", size: f.size })),
          ctx.signal,
          // Uploads for a PR not open yet name no ref (hub-protocol.md §4): read access suffices.
          { offerXet: offerXet(ctx), ...(ctx.opensPullRequest ? { omitRef: true } : {}) },
        ),
      );
    } catch (err) {
      ctx.recordFailure(fresh, leaseId, err);
    }
    // Largest first: the slots are taken in this order, so a batch ends on its small files, not
    // on one big file crawling alone at a capped connection's rate while the others sit idle.
    const order = answers
      .map((answer, i) => ({ answer, file: fresh[i] }))
      .sort((a, b) => (b.file?.size ?? 0) - (a.file?.size ?? 0));
    for (const { answer, file } of order) {
      if (file) transfers.push(transfer(ctx, file, leaseId, () => dispatch(ctx, file, answer, xet)));
    }
  }
  await Promise.all(transfers);
}

async function dispatch(
  ctx: UploadStageDeps,
  file: FileRecord,
  answer: LfsBatchAnswer,
  xet: XetSession | null,
): Promise<void> {
  if (xet !== null && (answer.kind === "basic" || answer.kind === "multipart")) checkLfsAnswer(ctx, xet);
  switch (answer.kind) {
    case "stored":
      return;
    case "error":
      throw new HubpushError(
        "ERR_HUB_LFS_OBJECT",
        `the Hub refused the LFS object of ${file.path} (${answer.code}: ${answer.message})`,
        { retryable: answer.code >= 500 || answer.code === 429 },
      );
    case "xet":
      if (xet === null)
        throw new HubpushError("ERR_INTERNAL", `a Xet answer for ${file.path} where LFS was asked`);
      return sendXet(ctx, xet, file, answer, (f) => viaLfs(ctx, f));
    case "basic":
      return ctx.withUploadSlot(() => uploadBasic(ctx, file, answer), file.size);
    case "multipart": {
      ctx.journal.lfs.savePlan(file.id, {
        oid: answer.oid,
        size: answer.size,
        chunkSize: answer.chunkSize,
        completionUrl: answer.completionUrl,
        partUrls: answer.partUrls,
        expiresAt: answer.expiresAt,
        verifyUrl: answer.verify?.href ?? null,
        // Verify is never called, and its header may carry a credential: it is not written to disk.
        verifyHeader: null,
      });
      const plan = ctx.journal.lfs.getPlan(file.id);
      if (plan === null) throw new HubpushError("ERR_INTERNAL", `the LFS plan of ${file.path} was not saved`);
      return ctx.withUploadSlot(() => uploadMultipart(ctx, file, plan), file.size);
    }
  }
}

/** One file through classic LFS (the Xet fallback): a batch call that does not offer xet. */
async function viaLfs(ctx: UploadStageDeps, file: FileRecord): Promise<void> {
  const [answer] = await ctx.api(() =>
    ctx.hub.lfsBatch(ctx.repo, ctx.job.revision, [{ oid: file.sha256 ?? "", size: file.size }], ctx.signal),
  );
  if (answer !== undefined) await dispatch(ctx, file, answer, null);
}

async function transfer(
  ctx: UploadStageDeps,
  file: FileRecord,
  leaseId: string,
  run: () => Promise<void>,
): Promise<void> {
  try {
    await run();
    if (ctx.aborted) {
      ctx.journal.files.releaseLease(file.id, leaseId);
      return;
    }
    ctx.journal.stages.recordUploaded(file.id, leaseId);
  } catch (err) {
    ctx.recordFailure([file], leaseId, err);
  }
}
