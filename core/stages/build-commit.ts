import { createHash } from "node:crypto";
import { closeSync, readFileSync, statSync } from "node:fs";
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
  const entries: FileEntry[] = [];
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
    try {
      const operation = await toOperation(ctx, file, held);
      entries.push({ file, operation });
      if (operation.kind === "file") inlineBytes += file.size;
    } catch (err) {
      ctx.recordFailure([file], leaseId, err);
    }
  }
  return entries;
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
  const kept = file.uploadMode === "regular" ? keptContent(ctx, absolute, file) : null;
  if (kept !== null) {
    held.bytes += kept.length;
    return { kind: "file", path: repoPath, content: kept };
  }
  // Small or LFS: synchronous calls (the file is small or not read at all; see openHashedFileSync).
  const fd = openHashedFileSync(absolute, file);
  try {
    if (file.uploadMode === "lfs")
      return { kind: "lfsFile", path: repoPath, oid: file.sha256 ?? "", size: file.size };
    const content = readFileSync(fd);
    // Files hashed without a blob sha1 (over 10 MiB) are checked against their sha256 instead.
    const matches =
      file.sha1 === null
        ? createHash("sha256").update(content).digest("hex") === file.sha256
        : createHash("sha1").update(`blob ${content.length}\0`).update(content).digest("hex") === file.sha1;
    if (!matches) {
      throw new HubpushError(
        "ERR_FILE_CHANGED",
        `${file.path} changed after it was hashed; it will be hashed again`,
        {
          retryable: true,
        },
      );
    }
    held.bytes += content.length;
    return { kind: "file", path: repoPath, content };
  } finally {
    closeSync(fd);
  }
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
