import { createHash, type Hash } from "node:crypto";
import { createReadStream } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import { HubpushError } from "../../common/hubpush-error.js";
import type { FileRecord, StoredLfsPlan } from "../../storage/journal.js";
import type { UploadStageDeps } from "../stage-deps.js";
import { openHashedFile } from "./open-hashed-file.js";
import { assertUnchanged } from "./same-stat.js";
import { VerifyingStream } from "./verifying-stream.js";

/**
 * Sends the parts of a multipart plan that the journal does not mark done, then completes it.
 * Every part is read in order (done parts too) to recompute the whole-file sha256: a mismatch
 * means the file changed, and the upload is not completed. Parts stream from disk one at a time
 * unless `partsInFlight` > 1, when parts are read into memory (≤ partBufferBytes) and sent in parallel.
 */
export async function uploadMultipart(
  ctx: UploadStageDeps,
  file: FileRecord,
  plan: StoredLfsPlan,
): Promise<void> {
  const absolute = ctx.localPath(file.path);
  const handle = await openHashedFile(absolute, file);
  const etags = new Map(plan.doneParts);
  try {
    const whole = createHash("sha256");
    const { partsInFlight, partBufferBytes } = ctx.tuning;
    const inFlight = Math.max(1, Math.min(partsInFlight, Math.floor(partBufferBytes / plan.chunkSize)));
    const sending = new Set<Promise<void>>();
    let firstError: unknown = null;
    for (let part = 1; part <= plan.partUrls.length && firstError === null && !ctx.aborted; part++) {
      const start = (part - 1) * plan.chunkSize;
      const length = Math.min(plan.chunkSize, file.size - start);
      const url = plan.partUrls[part - 1] ?? "";
      if (etags.has(part) || inFlight === 1) {
        // Sequential path: done parts are only hashed; big parts stream straight from disk.
        await streamPart(ctx, absolute, file, {
          part,
          start,
          length,
          url,
          send: !etags.has(part),
          whole,
          etags,
        });
        continue;
      }
      const buffer = await readPart(handle, start, length, file.path);
      whole.update(buffer);
      while (sending.size >= inFlight) await Promise.race(sending);
      const p: Promise<void> = sendBuffer(ctx, file, part, url, buffer, etags)
        .catch((err: unknown) => {
          firstError ??= err;
        })
        .finally(() => sending.delete(p));
      sending.add(p);
    }
    await Promise.all(sending);
    if (firstError !== null) throw firstError;
    if (ctx.aborted) return;
    if (whole.digest("hex") !== file.sha256) {
      throw new HubpushError(
        "ERR_FILE_CHANGED",
        `${file.path} changed after it was hashed; it will be hashed again`,
        {
          retryable: true,
        },
      );
    }
    await assertUnchanged(handle, file, file.path);
  } finally {
    await handle.close();
  }
  const parts = plan.partUrls.map((_, i) => ({ partNumber: i + 1, etag: etags.get(i + 1) ?? "" }));
  await ctx.hub.completeMultipart(plan.completionUrl, plan.oid, parts, ctx.signal);
}

async function readPart(
  handle: FileHandle,
  start: number,
  length: number,
  displayPath: string,
): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(length);
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
): Promise<void> {
  await ctx.throttleBytes(buffer.length, ctx.signal);
  const { etag } = await ctx.hub.putUpload(url, { body: buffer, length: buffer.length, signal: ctx.signal });
  ctx.uploadMeter.add(buffer.length);
  recordEtag(ctx, file, part, etag, etags);
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

async function streamPart(
  ctx: UploadStageDeps,
  absolute: string,
  file: FileRecord,
  p: {
    part: number;
    start: number;
    length: number;
    url: string;
    send: boolean;
    whole: Hash;
    etags: Map<number, string>;
  },
): Promise<void> {
  const source = createReadStream(absolute, {
    start: p.start,
    end: p.start + p.length - 1,
    highWaterMark: 1024 * 1024,
  });
  const verifier = new VerifyingStream({
    expectedSha256: null,
    expectedSize: p.length,
    displayPath: file.path,
    throttle: (n) => (p.send ? ctx.throttleBytes(n, ctx.signal) : Promise.resolve()),
    onBytes: (n) => (p.send ? ctx.uploadMeter.add(n) : undefined),
    sharedHash: p.whole,
  });
  source.on("error", (err) => verifier.destroy(err));
  source.pipe(verifier);
  try {
    if (!p.send) {
      for await (const _chunk of verifier) {
        // Read only to feed the whole-file hash.
      }
      return;
    }
    const { etag } = await ctx.hub
      .putUpload(p.url, { body: verifier, length: p.length, signal: ctx.signal })
      .catch((err: unknown) => {
        throw verifier.failure ?? err;
      });
    recordEtag(ctx, file, p.part, etag, p.etags);
  } finally {
    source.destroy();
  }
}
