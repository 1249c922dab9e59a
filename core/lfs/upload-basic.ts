import { createReadStream } from "node:fs";
import type { FileRecord } from "../../storage/journal.js";
import type { LfsBatchAnswer } from "../hub/hub-client.js";
import type { StreamMeter } from "../pacing/upload-streams.js";
import type { UploadStageDeps } from "../stage-deps.js";
import { openHashedFile } from "./open-hashed-file.js";
import { assertUnchanged } from "./same-stat.js";
import { VerifyingStream } from "./verifying-stream.js";

type BasicAnswer = Extract<LfsBatchAnswer, { kind: "basic" }>;

/** One PUT of the whole object, streamed from disk and verified against the journaled sha256. */
export async function uploadBasic(
  ctx: UploadStageDeps,
  file: FileRecord,
  answer: BasicAnswer,
): Promise<void> {
  const absolute = ctx.localPath(file.path);
  const handle = await openHashedFile(absolute, file);
  try {
    let meter: StreamMeter | null = null; // the stream slot's, once the PUT has one
    let early = 0; // bytes the verifier passed on before that
    const verifier = new VerifyingStream({
      expectedSha256: file.sha256,
      expectedSize: file.size,
      displayPath: file.path,
      throttle: (n) => ctx.throttleBytes(n, ctx.signal),
      onBytes: (n) => {
        ctx.uploadMeter.add(n);
        if (meter === null) early += n;
        else meter.sent(n);
      },
    });
    // A stream of its own: destroying a FileHandle-based stream would close the handle we stat.
    const source = createReadStream(absolute, { highWaterMark: 1024 * 1024 });
    source.on("error", (err) => verifier.destroy(err));
    source.pipe(verifier);
    try {
      await ctx.uploadStreams.withStream((m) => {
        meter = m;
        m.sent(early);
        return ctx.hub.putUpload(answer.uploadUrl, {
          body: verifier,
          length: file.size,
          header: answer.header,
          signal: ctx.signal,
        });
      });
    } catch (err) {
      throw verifier.failure ?? err;
    } finally {
      source.destroy();
    }
    if (verifier.failure) throw verifier.failure;
    await assertUnchanged(handle, file, file.path);
  } finally {
    await handle.close();
  }
}
