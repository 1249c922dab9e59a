import { createHash } from "node:crypto";
import type { FileHandle } from "node:fs/promises";
import { HubpushError } from "../../common/hubpush-error.js";
import type { FileRecord, StoredLfsPlan } from "../../storage/journal.js";
import type { StreamMeter } from "../pacing/upload-streams.js";
import type { UploadStageDeps } from "../stage-deps.js";
import { openHashedFile } from "./open-hashed-file.js";
import { partSlices } from "./part-slices.js";
import { assertUnchanged } from "./same-stat.js";
import { contentChanged, rehashOnSend } from "./send-guard.js";

/**
 * Sends the parts of a multipart plan that the journal does not mark done, then completes it.
 * Every part streams from disk at its own offset through one reused 1 MiB buffer (part-slices.ts),
 * under the stat guard (an fstat of the descriptor before and after its bytes are read,
 * same-stat.ts), which stands in for hashing the bytes again (issue 16 item 6). Parts are therefore
 * independent of each other: the first waits for a stream; up to `partsInFlight - 1` more go beside
 * it whenever the engine has a stream free (fewer files than streams, as at the tail of a batch on
 * a link that caps each connection), each holding only its slice buffer. A racy file
 * (send-guard.ts) is read once more and hashed whole before the completion is posted.
 */
export async function uploadMultipart(
  ctx: UploadStageDeps,
  file: FileRecord,
  plan: StoredLfsPlan,
): Promise<void> {
  const handle = await openHashedFile(ctx.localPath(file.path), file);
  const etags = new Map(plan.doneParts);
  const streams = ctx.uploadStreams;
  try {
    const maxParts = Math.max(1, ctx.tuning.partsInFlight);
    const sending = new Set<Promise<void>>();
    let firstError: unknown = null;
    const stop = () => firstError !== null || ctx.aborted;
    for (let part = 1; part <= plan.partUrls.length && !stop(); part++) {
      if (etags.has(part)) continue; // sent before a restart
      // The file's first part in flight waits for a stream; another goes beside it only when a
      // stream is free now, so a file never queues more than one part ahead of the others' files.
      while (!stop() && sending.size > 0 && !(sending.size < maxParts && streams.streamFree)) {
        if (sending.size < maxParts) streams.wantMore();
        await Promise.race([...sending, streams.whenRoom()]);
      }
      if (stop()) break;
      const start = (part - 1) * plan.chunkSize;
      const p = {
        part,
        start,
        length: Math.min(plan.chunkSize, file.size - start),
        url: plan.partUrls[part - 1] ?? "",
      };
      const sent: Promise<void> = streams
        .withStream((meter) => sendPart(ctx, handle, file, p, etags, meter))
        .catch((err: unknown) => {
          firstError ??= err;
        })
        .finally(() => sending.delete(sent));
      sending.add(sent);
    }
    await Promise.all(sending);
    if (firstError !== null) throw firstError;
    if (ctx.aborted) return;
    if (rehashOnSend(file, ctx.job, ctx.tuning)) await checkWholeHash(handle, file);
    await assertUnchanged(handle, file, file.path);
  } finally {
    await handle.close();
  }
  const parts = plan.partUrls.map((_, i) => ({ partNumber: i + 1, etag: etags.get(i + 1) ?? "" }));
  await ctx.hub.completeMultipart(plan.completionUrl, plan.oid, parts, ctx.signal);
}

/** One part from disk, at its own offset, through partSlices under the stat guard. */
async function sendPart(
  ctx: UploadStageDeps,
  handle: FileHandle,
  file: FileRecord,
  p: { part: number; start: number; length: number; url: string },
  etags: Map<number, string>,
  meter: StreamMeter,
): Promise<void> {
  const slices = partSlices({
    handle,
    start: p.start,
    length: p.length,
    displayPath: file.path,
    check: () => assertUnchanged(handle, file, file.path),
    throttle: (n) => ctx.throttleBytes(n, ctx.signal),
    onSent: (n) => {
      ctx.uploadMeter.add(n);
      meter.sent(n);
    },
  });
  const { etag } = await ctx.hub.putUpload(p.url, {
    body: slices,
    pulled: true,
    length: p.length,
    signal: ctx.signal,
  });
  if (etag === null || etag === "") {
    throw new HubpushError(
      "ERR_HUB_PROTOCOL",
      `the storage answered part ${p.part} of ${file.path} without an ETag`,
      { retryable: true },
    );
  }
  etags.set(p.part, etag);
  // Journaled as soon as it is known, so a restart sends only the parts still missing.
  ctx.journal.lfs.recordPartDone(file.id, p.part, etag);
}

/**
 * A racy file's bytes hashed whole, from disk, against the journaled sha256 (parts sent before a
 * restart too): a write in the timestamp tick of its hash leaves the stat as it was, not the bytes.
 */
async function checkWholeHash(handle: FileHandle, file: FileRecord): Promise<void> {
  const hash = createHash("sha256");
  for await (const slice of partSlices({
    handle,
    start: 0,
    length: file.size,
    displayPath: file.path,
    throttle: async () => {},
    onSent: () => {},
  }))
    hash.update(slice);
  if (hash.digest("hex") !== file.sha256) throw contentChanged(file.path);
}
