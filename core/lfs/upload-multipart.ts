import { createHash, type Hash } from "node:crypto";
import type { FileHandle } from "node:fs/promises";
import { HubpushError } from "../../common/hubpush-error.js";
import type { FileRecord, StoredLfsPlan } from "../../storage/journal.js";
import type { StreamMeter } from "../pacing/upload-streams.js";
import type { UploadStageDeps } from "../stage-deps.js";
import { openHashedFile } from "./open-hashed-file.js";
import { partSlices } from "./part-slices.js";
import { assertUnchanged } from "./same-stat.js";
import { contentChanged, rehashOnSend } from "./send-guard.js";

/** Slices a part in memory is handed to the request in. */
const SLICE = 1024 * 1024;

/**
 * Sends the parts of a multipart plan that the journal does not mark done, then completes it. Each
 * part is read under the stat guard (an fstat of the descriptor before and after its bytes are
 * read, same-stat.ts), which stands in for hashing the bytes again (issue 16 item 6); only a racy
 * file (send-guard.ts) is hashed again, its parts in order (done parts too, read only for that),
 * and a mismatch keeps the completion from being posted. One part at a time streams from disk
 * through one reused buffer (part-slices.ts); while it does, up to `partsInFlight - 1` further
 * parts are sent beside it when the engine has a stream free (fewer files than streams in flight,
 * as with a few big files on a link that caps each connection). Those are read into memory (the
 * engine's part-buffer budget bounds them) and sent at once.
 */
export async function uploadMultipart(
  ctx: UploadStageDeps,
  file: FileRecord,
  plan: StoredLfsPlan,
): Promise<void> {
  const absolute = ctx.localPath(file.path);
  const handle = await openHashedFile(absolute, file);
  const etags = new Map(plan.doneParts);
  const streams = ctx.uploadStreams;
  try {
    // Only a racy file (send-guard.ts) is hashed again; the stat guard covers every part.
    const whole = rehashOnSend(file, ctx.job, ctx.tuning) ? createHash("sha256") : null;
    const maxParts = Math.max(1, ctx.tuning.partsInFlight);
    const sending = new Set<Promise<void>>();
    let streaming = false; // a part of this file streams from disk now
    let hashed: Promise<void> = Promise.resolve(); // every part before the next is in `whole`
    let firstError: unknown = null;
    const track = (p: Promise<unknown>) => {
      const q: Promise<void> = p
        .then(() => undefined)
        .catch((err: unknown) => {
          firstError ??= err;
        })
        .finally(() => sending.delete(q));
      sending.add(q);
    };
    const stop = () => firstError !== null || ctx.aborted;
    for (let part = 1; part <= plan.partUrls.length && !stop(); part++) {
      const start = (part - 1) * plan.chunkSize;
      const length = Math.min(plan.chunkSize, file.size - start);
      const p = { part, start, length, url: plan.partUrls[part - 1] ?? "", whole, etags };
      if (etags.has(part)) {
        if (whole === null) continue;
        // A part sent before a restart: read only to feed the whole-file hash, in order.
        await hashed.catch(() => undefined);
        if (stop()) break;
        await streamPart(ctx, handle, file, { ...p, send: false });
        continue;
      }
      let mode: "stream" | "buffer" | null = null;
      let pooled: Buffer | null = null;
      while (!stop()) {
        if (!streaming) {
          mode = "stream";
          break;
        }
        if (sending.size < maxParts) {
          pooled = streams.streamFree ? streams.takeBuffer(length) : null;
          if (pooled !== null) {
            mode = "buffer";
            break;
          }
          if (!streams.streamFree) streams.wantMore();
        }
        // A part of this file finishing, a stream freed elsewhere or the count growing: look again.
        await Promise.race([...sending, streams.whenRoom()]);
      }
      if (mode === "stream") {
        streaming = true;
        const before = hashed;
        const sent = streams
          .withStream(async (meter) => {
            await before;
            await streamPart(ctx, handle, file, { ...p, send: true, meter });
          })
          .finally(() => {
            streaming = false;
          });
        hashed = sent;
        track(sent);
      } else if (mode === "buffer" && pooled !== null) {
        const held = pooled;
        let buffer: Buffer;
        try {
          await assertUnchanged(handle, file, file.path);
          buffer = await readPart(handle, held.subarray(0, length), start, file.path);
          // Every byte of the part was read before this stat: a write since the hash shows in it.
          await assertUnchanged(handle, file, file.path);
        } catch (err) {
          streams.giveBack(held);
          firstError ??= err;
          break;
        }
        const inOrder = hashed.then(() => {
          whole?.update(buffer);
        });
        hashed = inOrder;
        const sent = streams.withStream((meter) => sendBuffer(ctx, file, part, p.url, buffer, etags, meter));
        track(Promise.all([sent, inOrder]).finally(() => streams.giveBack(held)));
      }
    }
    await Promise.all(sending);
    if (firstError !== null) throw firstError;
    if (ctx.aborted) return;
    await hashed;
    if (whole !== null && whole.digest("hex") !== file.sha256) throw contentChanged(file.path);
    await assertUnchanged(handle, file, file.path);
  } finally {
    await handle.close();
  }
  const parts = plan.partUrls.map((_, i) => ({ partNumber: i + 1, etag: etags.get(i + 1) ?? "" }));
  await ctx.hub.completeMultipart(plan.completionUrl, plan.oid, parts, ctx.signal);
}

/** Fills `buffer` (one part's length) from the file at `start`. */
async function readPart(
  handle: FileHandle,
  buffer: Buffer,
  start: number,
  displayPath: string,
): Promise<Buffer> {
  const length = buffer.length;
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(buffer, filled, length - filled, start + filled);
    if (bytesRead === 0) {
      throw new HubpushError(
        "ERR_FILE_CHANGED",
        `${displayPath} shrank after it was hashed; it will be hashed again`,
        {
          retryable: true,
        },
      );
    }
    filled += bytesRead;
  }
  return buffer;
}

async function sendBuffer(
  ctx: UploadStageDeps,
  file: FileRecord,
  part: number,
  url: string,
  buffer: Buffer,
  etags: Map<number, string>,
  meter: StreamMeter,
): Promise<void> {
  const { etag } = await ctx.hub.putUpload(url, {
    // Pulled as it is (no stream around it): the buffer is not reused before the request ends.
    body: paced(ctx, buffer, meter),
    pulled: true,
    length: buffer.length,
    signal: ctx.signal,
  });
  recordEtag(ctx, file, part, etag, etags);
}

/** A part in memory as 1 MiB slices, each paced (--max-rate) and counted as it is handed on. */
async function* paced(ctx: UploadStageDeps, buffer: Buffer, meter: StreamMeter): AsyncGenerator<Buffer> {
  for (let offset = 0; offset < buffer.length; offset += SLICE) {
    const slice = buffer.subarray(offset, offset + SLICE);
    await ctx.throttleBytes(slice.length, ctx.signal);
    yield slice;
    ctx.uploadMeter.add(slice.length);
    meter.sent(slice.length);
  }
}

function recordEtag(
  ctx: UploadStageDeps,
  file: FileRecord,
  part: number,
  etag: string | null,
  etags: Map<number, string>,
): void {
  if (etag === null || etag === "") {
    throw new HubpushError(
      "ERR_HUB_PROTOCOL",
      `the storage answered part ${part} of ${file.path} without an ETag`,
      {
        retryable: true,
      },
    );
  }
  etags.set(part, etag);
  // Journaled as soon as it is known, so a restart sends only the parts still missing.
  ctx.journal.lfs.recordPartDone(file.id, part, etag);
}

/**
 * One part from disk through partSlices (one reused buffer), hashed in order as it goes: sent, or
 * (`send: false`, a part done before a restart) read only to feed the whole-file hash.
 */
async function streamPart(
  ctx: UploadStageDeps,
  handle: FileHandle,
  file: FileRecord,
  p: {
    part: number;
    start: number;
    length: number;
    url: string;
    send: boolean;
    /** The stream slot's byte counter (when sending). */
    meter?: StreamMeter;
    whole: Hash | null;
    etags: Map<number, string>;
  },
): Promise<void> {
  const slices = partSlices({
    handle,
    start: p.start,
    length: p.length,
    displayPath: file.path,
    onSlice: (slice) => {
      p.whole?.update(slice);
    },
    check: () => assertUnchanged(handle, file, file.path),
    throttle: (n) => (p.send ? ctx.throttleBytes(n, ctx.signal) : Promise.resolve()),
    onSent: (n) => {
      if (!p.send) return;
      ctx.uploadMeter.add(n);
      p.meter?.sent(n);
    },
  });
  if (!p.send) {
    for await (const _slice of slices) {
      // Read only to feed the whole-file hash.
    }
    return;
  }
  const { etag } = await ctx.hub.putUpload(p.url, {
    body: slices,
    pulled: true,
    length: p.length,
    signal: ctx.signal,
  });
  recordEtag(ctx, file, p.part, etag, p.etags);
}
