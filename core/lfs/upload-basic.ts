import { createHash } from "node:crypto";
import type { FileRecord } from "../../storage/journal.js";
import type { LfsBatchAnswer } from "../hub/hub-client.js";
import type { StreamMeter } from "../pacing/upload-streams.js";
import type { UploadStageDeps } from "../stage-deps.js";
import { openHashedFile } from "./open-hashed-file.js";
import { partSlices } from "./part-slices.js";
import { assertUnchanged } from "./same-stat.js";
import { contentChanged, rehashOnSend } from "./send-guard.js";

type BasicAnswer = Extract<LfsBatchAnswer, { kind: "basic" }>;

/**
 * One PUT of the whole object, streamed from the descriptor the stat guard checks (before the first
 * read and after the last, before the last slice goes): a file written since it was hashed fails
 * the body before the store has all of it. A racy file (send-guard.ts) is hashed again as well.
 */
export async function uploadBasic(
  ctx: UploadStageDeps,
  file: FileRecord,
  answer: BasicAnswer,
): Promise<void> {
  const handle = await openHashedFile(ctx.localPath(file.path), file);
  try {
    const hash = rehashOnSend(file, ctx.job, ctx.tuning) ? createHash("sha256") : null;
    let meter: StreamMeter | null = null; // the stream slot's, once the PUT has one
    const body = partSlices({
      handle,
      start: 0,
      length: file.size,
      displayPath: file.path,
      ...(hash === null ? {} : { onSlice: (slice: Buffer) => hash.update(slice) }),
      check: async (when) => {
        await assertUnchanged(handle, file, file.path);
        if (when === "after" && hash !== null && hash.digest("hex") !== file.sha256)
          throw contentChanged(file.path);
      },
      throttle: (n) => ctx.throttleBytes(n, ctx.signal),
      onSent: (n) => {
        ctx.uploadMeter.add(n);
        meter?.sent(n);
      },
    });
    await ctx.uploadStreams.withStream((m) => {
      meter = m;
      return ctx.hub.putUpload(answer.uploadUrl, {
        body,
        pulled: true,
        length: file.size,
        header: answer.header,
        signal: ctx.signal,
      });
    });
  } finally {
    await handle.close();
  }
}
