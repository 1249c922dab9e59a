import { HubpushError, toHubpushError } from "../../common/hubpush-error.js";
import type { FileRecord, TransferMode } from "../../storage/journal.js";
import type { LfsBatchAnswer } from "../hub/hub-client.js";
import type { UploadStageDeps } from "../stage-deps.js";
import { uploadXetFile } from "./upload-xet-file.js";
import type { XetSession } from "./xet-session.js";

/** The job's --transfer (auto for jobs written before it existed). */
export function transferMode(ctx: UploadStageDeps): TransferMode {
  return ctx.job.options.transfer ?? "auto";
}

/** The LFS batch offers `xet` unless the job said --transfer lfs. */
export function offerXet(ctx: UploadStageDeps): boolean {
  return transferMode(ctx) !== "lfs";
}

/**
 * The Hub answered basic or multipart although Xet was offered: with --transfer xet that blocks the
 * job (ERR_XET_UNAVAILABLE, docs/xet.md); with auto the file goes through LFS, and the job's status
 * says so once (log line + `xet.note`).
 */
export function checkLfsAnswer(ctx: UploadStageDeps, session: XetSession): void {
  const mode = transferMode(ctx);
  if (mode === "lfs") return;
  if (mode === "xet") {
    throw new HubpushError(
      "ERR_XET_UNAVAILABLE",
      `--transfer xet was asked, but ${ctx.job.endpoint} does not offer Xet for ${ctx.repo.id} (the LFS batch answered basic/multipart). Re-add the job with --transfer auto or --transfer lfs, then run \`hubpush retry\`.`,
    );
  }
  if (session.fallbackNoted) return;
  session.fallbackNoted = true;
  const note = `the Hub did not offer Xet for ${ctx.repo.id}: files go through LFS`;
  ctx.journal.xet.setJobNote(ctx.jobId, note);
  ctx.journal.events.append("xet.fallback", ctx.jobId, { note });
  ctx.logger.info({ repo: ctx.repo.id }, note);
}

/**
 * A Xet answer: the file goes to the CAS. If Xet turns out unusable for it (no token route,
 * ERR_XET_UNAVAILABLE) and the job is auto, it falls back to LFS with a note; any other failure is
 * the file's (the failure policy decides).
 */
export async function sendXet(
  ctx: UploadStageDeps,
  session: XetSession,
  file: FileRecord,
  answer: Extract<LfsBatchAnswer, { kind: "xet" }>,
  viaLfs: (file: FileRecord) => Promise<void>,
): Promise<void> {
  try {
    await ctx.withUploadSlot(() => uploadXetFile(ctx, session, file, answer));
  } catch (err) {
    if (toHubpushError(err).code !== "ERR_XET_UNAVAILABLE" || transferMode(ctx) !== "auto") throw err;
    const note = `Xet is not usable for ${file.path} (${toHubpushError(err).message}): sent through LFS`;
    ctx.journal.xet.setJobNote(ctx.jobId, note);
    ctx.journal.events.append("xet.fallback", ctx.jobId, { note });
    ctx.logger.warn({ path: file.path }, note);
    await viaLfs(file);
  }
}
