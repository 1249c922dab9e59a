import { createHash } from "node:crypto";
import type { BigIntStats } from "node:fs";
import { asyncIo, syncIo } from "./file-io.js";
import { changed, failureFromError, notRegular, statDifference, vanished } from "./hash-failures.js";
import type { HashOutcome } from "./hash-outcome.js";
import { toFileStat } from "./to-file-stat.js";

/** Files above this size get no blob sha1 (they can only be LFS on the Hub). */
export const BLOB_SHA1_MAX_BYTES = 10 * 1024 * 1024;
/** How many leading bytes the preupload sample holds (hub-protocol.md §7.5). */
const SAMPLE_BYTES = 512;
const DEFAULT_READ_BUFFER_BYTES = 1024 * 1024;
/** How often (in bytes read) a long read re-checks the descriptor's stat. */
const RECHECK_BYTES = 64 * 1024 * 1024;
/** With synchronous reads, the event loop gets a turn this often (in bytes) so a cancel message lands. */
const YIELD_BYTES = 8 * 1024 * 1024;

export type { HashFailureCode, HashOutcome } from "./hash-outcome.js";

export interface HashFileOptions {
  /** A buffer to read into, reused across calls by one caller (its length is the read size). */
  buffer?: Uint8Array;
  /** Aborts between reads; the promise then rejects with the signal's reason. */
  signal?: AbortSignal;
  /**
   * Synchronous open, stat, read and close. Only for a worker thread, whose event loop has nothing
   * else to do: it saves a round trip through libuv's shared thread pool per call (default false).
   */
  syncReads?: boolean;
  /**
   * Files of at most this many bytes are read into a buffer of their own, returned as `content`,
   * so their commit need not read them again (default 0: nothing kept).
   */
  keepMaxBytes?: number;
}

/**
 * Hashes one file in one pass: sha256 (LFS oid), git blob sha1 (regular-file oid) and the base64
 * sample of the first ≤ 512 bytes. Per-file problems come back as `{ ok: false }` outcomes, never
 * as rejections (only an abort rejects).
 *
 * The stat the hashes belong to is taken on the open descriptor, so the blob header's size and the
 * bytes read describe the same inode; a path stat after the read catches deletion, replacement and
 * in-place changes, which are reported instead of returning hashes of a mix of two versions.
 */
export async function hashFile(
  absolutePath: string,
  readBufferBytes: number = DEFAULT_READ_BUFFER_BYTES,
  options: HashFileOptions = {},
): Promise<HashOutcome> {
  const { signal } = options;
  const io = options.syncReads ? syncIo : asyncIo;
  signal?.throwIfAborted();
  let fd: number;
  try {
    fd = await io.open(absolutePath);
  } catch (err) {
    return failureFromError(err, absolutePath);
  }
  try {
    const before = await io.fstat(fd);
    if (!before.isFile()) {
      return notRegular(absolutePath, before.isDirectory() ? "a directory" : "not a regular file");
    }
    const size = Number(before.size);
    const statBefore = toFileStat(before);
    const buffer = options.buffer ?? new Uint8Array(Math.max(1, readBufferBytes));
    // A kept file is read straight into its own buffer (one read for a small file): no copy.
    const content = size > 0 && size <= (options.keepMaxBytes ?? 0) ? new Uint8Array(size) : null;
    const sha256 = createHash("sha256");
    // The blob sha1 is the oid of a regular (inline) file; the Hub refuses inline files over
    // 10 MiB, so larger files always travel as LFS and their sha1 would cost half the CPU for nothing.
    const sha1 = size <= BLOB_SHA1_MAX_BYTES ? createHash("sha1") : null;
    sha1?.update(`blob ${size}\0`);
    const sample = new Uint8Array(Math.min(SAMPLE_BYTES, size));
    let sampleLength = 0;
    let position = 0;
    let nextCheck = RECHECK_BYTES;
    let nextYield = YIELD_BYTES;
    // Read to the size fstat reported, then once more: bytes past it mean the file grew.
    for (;;) {
      signal?.throwIfAborted();
      const into = content !== null && position < size ? content : buffer;
      const offset = into === content ? position : 0;
      const wanted = position < size ? Math.min(into.length - offset, size - position) : 1;
      const bytesRead = await io.read(fd, into, offset, wanted, position);
      if (bytesRead === 0) break;
      if (position >= size) {
        return changed(absolutePath, `it grew past ${size} bytes while being read`);
      }
      const chunk = into.subarray(offset, offset + bytesRead);
      sha256.update(chunk);
      sha1?.update(chunk);
      if (sampleLength < sample.length) {
        const take = Math.min(sample.length - sampleLength, bytesRead);
        sample.set(chunk.subarray(0, take), sampleLength);
        sampleLength += take;
      }
      position += bytesRead;
      if (io.sync && position >= nextYield) {
        // Synchronous reads never leave the event loop a turn: give it one so a cancel arrives.
        nextYield += YIELD_BYTES;
        await new Promise((resolve) => setImmediate(resolve));
      }
      if (position >= nextCheck && position < size) {
        // A long read of a file that was deleted or rewritten meanwhile can stop early.
        nextCheck += RECHECK_BYTES;
        const now = await io.fstat(fd);
        if (now.nlink === 0n) return vanished(absolutePath);
        const difference = statDifference(statBefore, toFileStat(now));
        if (difference !== null)
          return changed(absolutePath, `its ${difference} changed while it was being read`);
      }
    }
    if (position < size) {
      return changed(absolutePath, `it shrank to ${position} of ${size} bytes while being read`);
    }
    let after: BigIntStats;
    try {
      after = await io.stat(absolutePath);
    } catch (err) {
      return failureFromError(err, absolutePath);
    }
    const statAfter = toFileStat(after);
    const difference = statDifference(statBefore, statAfter);
    if (difference !== null) {
      return changed(absolutePath, `its ${difference} changed while it was being read`);
    }
    return {
      ok: true,
      hashes: {
        sha256: sha256.digest("hex"),
        sha1: sha1?.digest("hex") ?? null,
        sample: Buffer.from(sample.buffer, sample.byteOffset, sampleLength).toString("base64"),
      },
      statBefore,
      statAfter,
      bytesRead: position,
      ...(content !== null ? { content } : {}),
    };
  } catch (err) {
    if (signal?.aborted && err === signal.reason) throw err;
    return failureFromError(err, absolutePath);
  } finally {
    try {
      await io.close(fd);
    } catch {
      // a close error after a complete read changes nothing about the outcome
    }
  }
}
