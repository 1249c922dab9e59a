import { createHash } from "node:crypto";
import { type BigIntStats, constants, readSync } from "node:fs";
import { type FileHandle, open, stat } from "node:fs/promises";
import type { FileHashes, FileStat } from "../../storage/journal.js";
import { toFileStat } from "./to-file-stat.js";

/** Files above this size get no blob sha1 (they can only be LFS on the Hub). */
export const BLOB_SHA1_MAX_BYTES = 10 * 1024 * 1024;
/** How many leading bytes the preupload sample holds (hub-protocol.md §7.5). */
const SAMPLE_BYTES = 512;
const DEFAULT_READ_BUFFER_BYTES = 1024 * 1024;
/** How often (in bytes read) a long read re-checks the descriptor's stat. */
const RECHECK_BYTES = 64 * 1024 * 1024;

export type HashFailureCode =
  | "ERR_FILE_VANISHED"
  | "ERR_FILE_UNREADABLE"
  | "ERR_FILE_CHANGED"
  | "ERR_FILE_NOT_REGULAR";

export type HashOutcome =
  | { ok: true; hashes: FileHashes; statBefore: FileStat; statAfter: FileStat; bytesRead: number }
  | { ok: false; code: HashFailureCode; message: string; retryable: boolean };

export interface HashFileOptions {
  /** A buffer to read into, reused across calls by one caller (its length is the read size). */
  buffer?: Uint8Array;
  /** Aborts between reads; the promise then rejects with the signal's reason. */
  signal?: AbortSignal;
  /**
   * Read synchronously. Only for a worker thread, whose event loop has nothing else to do: it saves
   * a round trip through libuv's shared thread pool per read (default false).
   */
  syncReads?: boolean;
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
  signal?.throwIfAborted();
  let fh: FileHandle;
  try {
    // O_NONBLOCK: a path swapped for a FIFO since the scan must not block the open.
    fh = await open(absolutePath, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    return failureFromError(err, absolutePath);
  }
  try {
    const before = await fh.stat({ bigint: true });
    if (!before.isFile()) {
      return notRegular(absolutePath, before.isDirectory() ? "a directory" : "not a regular file");
    }
    const size = Number(before.size);
    const statBefore = toFileStat(before);
    const buffer = options.buffer ?? new Uint8Array(Math.max(1, readBufferBytes));
    const sha256 = createHash("sha256");
    // The blob sha1 is the oid of a regular (inline) file; the Hub refuses inline files over
    // 10 MiB, so larger files always travel as LFS and their sha1 would cost half the CPU for nothing.
    const sha1 = size <= BLOB_SHA1_MAX_BYTES ? createHash("sha1") : null;
    sha1?.update(`blob ${size}\0`);
    const sample = new Uint8Array(Math.min(SAMPLE_BYTES, size));
    let sampleLength = 0;
    let position = 0;
    let nextCheck = RECHECK_BYTES;
    // Read to the size fstat reported, then once more: bytes past it mean the file grew.
    for (;;) {
      signal?.throwIfAborted();
      const wanted = position < size ? Math.min(buffer.length, size - position) : 1;
      const bytesRead = options.syncReads
        ? readSync(fh.fd, buffer, 0, wanted, position)
        : (await fh.read(buffer, 0, wanted, position)).bytesRead;
      if (bytesRead === 0) break;
      if (position >= size) {
        return changed(absolutePath, `it grew past ${size} bytes while being read`);
      }
      const chunk = buffer.subarray(0, bytesRead);
      sha256.update(chunk);
      sha1?.update(chunk);
      if (sampleLength < sample.length) {
        const take = Math.min(sample.length - sampleLength, bytesRead);
        sample.set(chunk.subarray(0, take), sampleLength);
        sampleLength += take;
      }
      position += bytesRead;
      if (position >= nextCheck && position < size) {
        // A long read of a file that was deleted or rewritten meanwhile can stop early.
        nextCheck += RECHECK_BYTES;
        const now = await fh.stat({ bigint: true });
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
      after = await stat(absolutePath, { bigint: true });
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
    };
  } catch (err) {
    if (signal?.aborted && err === signal.reason) throw err;
    return failureFromError(err, absolutePath);
  } finally {
    await fh.close().catch(() => undefined);
  }
}

function statDifference(a: FileStat, b: FileStat): string | null {
  if (a.inode !== b.inode) return "inode (it was replaced)";
  if (a.size !== b.size) return "size";
  if (a.mtimeNs !== b.mtimeNs) return "modification time";
  if (a.ctimeNs !== b.ctimeNs) return "change time";
  return null;
}

function changed(path: string, what: string): HashOutcome {
  return {
    ok: false,
    code: "ERR_FILE_CHANGED",
    message: `${path} changed while being hashed: ${what}; it will be hashed again once it stops changing`,
    retryable: true,
  };
}

function vanished(path: string): HashOutcome {
  return {
    ok: false,
    code: "ERR_FILE_VANISHED",
    message: `${path} was deleted before it could be hashed; it will not be uploaded unless it reappears`,
    retryable: false,
  };
}

function notRegular(path: string, what: string): HashOutcome {
  return {
    ok: false,
    code: "ERR_FILE_NOT_REGULAR",
    message: `${path} is ${what}, not a regular file; only regular files are uploaded`,
    retryable: false,
  };
}

function failureFromError(err: unknown, path: string): HashOutcome {
  const errno = (err as NodeJS.ErrnoException | null)?.code;
  const detail = err instanceof Error ? err.message : String(err);
  switch (errno) {
    case "ENOENT":
    case "ENOTDIR":
      return vanished(path);
    case "EACCES":
    case "EPERM":
    case "EISDIR":
      return {
        ok: false,
        code: "ERR_FILE_UNREADABLE",
        message: `cannot read ${path} (${errno}); fix its permissions (chmod u+r) and run retry`,
        retryable: false,
      };
    case "ELOOP":
      return notRegular(path, "a symlink that loops");
    default:
      // EIO, EMFILE, ENOMEM…: the disk or the process may recover, so try again later.
      return {
        ok: false,
        code: "ERR_FILE_UNREADABLE",
        message: `cannot read ${path}: ${detail}; it will be tried again`,
        retryable: true,
      };
  }
}
