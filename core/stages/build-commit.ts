import { closeSync, statSync } from "node:fs";
import { HubpushError } from "../../common/hubpush-error.js";
import type { FileRecord } from "../../storage/journal.js";
import { toFileStat } from "../hash/to-file-stat.js";
import type { CommitOperation } from "../hub/hub-client.js";
import { openHashedFileSync } from "../lfs/open-hashed-file.js";
import { sameStat } from "../lfs/same-stat.js";
import type { CommitStageDeps } from "../stage-deps.js";
import { streamedFile, verifyHashedFile } from "./streamed-file.js";

/**
 * Regular files up to this size are read once, checked and held in memory until their commit is
 * sent, within HELD_BYTES per batch; larger ones (and any beyond the budget) are checked now and
 * read again from disk while the body is sent, so a batch's memory stays bounded whatever the
 * folder holds (issue 16 item 3: up to 64 MiB of inline content per commit used to be held).
 */
const HOLD_MAX_BYTES = 256 * 1024;
const HELD_BYTES = 16 * 1024 * 1024;

/** One file of a batch and the operation that carries it, kept together (never joined by index). */
export interface FileEntry {
  readonly file: FileRecord;
  readonly operation: CommitOperation;
}

/**
 * Turns ready files into commit operations. Regular files are read now and checked against their
 * journaled blob sha1, LFS files against their stat: content that changed goes back to hashing and
 * is left out, so a commit never carries stale content.
 */
export async function buildCommit(
  ctx: CommitStageDeps,
  candidates: readonly FileRecord[],
  leaseId: string,
): Promise<FileEntry[]> {
  // Small files are read (and checked) by the hashing threads, all of the batch at once so the
  // pool sends them in batches of its own; larger ones as before, one after the other.
  const pending: Array<{ file: FileRecord; operation: Promise<Settled> }> = [];
  let inlineBytes = 0;
  const held = { bytes: 0 };
  for (const file of candidates) {
    if (
      file.uploadMode === "regular" &&
      inlineBytes > 0 &&
      inlineBytes + file.size > ctx.tuning.maxInlineBytesPerCommit
    ) {
      ctx.journal.files.releaseLease(file.id, leaseId);
      continue;
    }
    const operation = settle(toOperation(ctx, file, held));
    if (!readsInPool(file)) await operation;
    pending.push({ file, operation });
    if (file.uploadMode === "regular") inlineBytes += file.size;
  }
  const entries: FileEntry[] = [];
  for (const { file, operation } of pending) {
    const settled = await operation;
    if ("error" in settled) ctx.recordFailure([file], leaseId, settled.error);
    else entries.push({ file, operation: settled.operation });
  }
  return entries;
}

type Settled = { operation: CommitOperation } | { error: unknown };

/** A handler from the start: a rejection waits for its turn in order without being unhandled. */
function settle(operation: Promise<CommitOperation>): Promise<Settled> {
  return operation.then(
    (op) => ({ operation: op }),
    (error: unknown) => ({ error }),
  );
}

/** Small regular files, read and checked by a hashing thread when their kept bytes are gone. */
function readsInPool(file: FileRecord): boolean {
  return file.uploadMode === "regular" && file.size <= HOLD_MAX_BYTES;
}

async function toOperation(
  ctx: CommitStageDeps,
  file: FileRecord,
  held: { bytes: number },
): Promise<CommitOperation> {
  const absolute = ctx.localPath(file.path);
  const repoPath = ctx.pathInRepo(file.path);
  if (file.uploadMode !== "regular") ctx.hashPool.kept.drop(file.id);
  if (file.uploadMode === "regular" && (file.size > HOLD_MAX_BYTES || held.bytes + file.size > HELD_BYTES)) {
    ctx.hashPool.kept.drop(file.id); // the batch holds enough: this one streams from disk
    await verifyHashedFile(absolute, file);
    return { kind: "file", path: repoPath, content: streamedFile(absolute, file) };
  }
  if (file.uploadMode === "regular") {
    held.bytes += file.size;
    const kept = keptContent(ctx, absolute, file);
    if (kept !== null) return { kind: "file", path: repoPath, content: kept };
    return { kind: "file", path: repoPath, content: await readInPool(ctx, absolute, file) };
  }
  // LFS: the file is not read, only checked to be the one hashed (synchronous: see openHashedFileSync).
  closeSync(openHashedFileSync(absolute, file));
  return { kind: "lfsFile", path: repoPath, oid: file.sha256 ?? "", size: file.size };
}

/**
 * Reads a small file in a hashing thread (open, read, hash, close off the main thread; issue 16
 * item 1) and returns its bytes if they are still the journaled content: the stat the thread saw
 * is the journaled one and the blob sha1 (sha256 for a file without one) matches. Else it throws
 * ERR_FILE_CHANGED (the file is hashed again) or the read's own error.
 */
async function readInPool(ctx: CommitStageDeps, absolute: string, file: FileRecord): Promise<Buffer> {
  const outcome = await ctx.hashPool.hash(absolute, ctx.signal, { size: file.size, keepMaxBytes: file.size });
  if (!outcome.ok) {
    throw new HubpushError(outcome.code, `${file.path}: ${outcome.message}`, {
      retryable: outcome.retryable,
    });
  }
  const matches =
    file.sha1 === null ? outcome.hashes.sha256 === file.sha256 : outcome.hashes.sha1 === file.sha1;
  if (!matches || !sameStat(outcome.statBefore, file) || !sameStat(outcome.statAfter, file)) {
    throw new HubpushError(
      "ERR_FILE_CHANGED",
      `${file.path} changed after it was hashed; it will be hashed again`,
      {
        retryable: true,
      },
    );
  }
  const bytes = outcome.content ?? new Uint8Array(0);
  if (bytes.byteLength !== file.size) {
    throw new HubpushError(
      "ERR_FILE_CHANGED",
      `${file.path} changed after it was hashed; it will be hashed again`,
      {
        retryable: true,
      },
    );
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * The bytes the hashing thread read for this file, if they were kept and are still its content:
 * hashed with the journaled blob sha1 and stat, and the path's stat now is still that stat (the
 * same check a re-read starts with). Else null, and the file is read again and checked as before.
 */
function keptContent(ctx: CommitStageDeps, absolute: string, file: FileRecord): Buffer | null {
  const kept = ctx.hashPool.kept.take(file.id);
  if (kept === null || kept.sha1 !== file.sha1 || !sameStat(kept.stat, file)) return null;
  let now: FileRecord["size"] | null = null;
  try {
    const st = toFileStat(statSync(absolute, { bigint: true }));
    if (sameStat(st, file)) now = st.size;
  } catch {
    // vanished or unreadable now: the re-read reports it with its own code
  }
  if (now !== kept.bytes.byteLength) return null;
  return Buffer.from(kept.bytes.buffer, kept.bytes.byteOffset, kept.bytes.byteLength);
}
