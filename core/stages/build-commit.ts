import { createHash } from "node:crypto";
import { HubpushError } from "../../common/hubpush-error.js";
import type { FileRecord } from "../../storage/journal.js";
import type { CommitOperation } from "../hub/hub-client.js";
import { openHashedFile } from "../lfs/open-hashed-file.js";
import type { CommitStageDeps } from "../stage-deps.js";

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
      const operation = await toOperation(ctx, file);
      entries.push({ file, operation });
      if (operation.kind === "file") inlineBytes += file.size;
    } catch (err) {
      ctx.recordFailure([file], leaseId, err);
    }
  }
  return entries;
}

async function toOperation(ctx: CommitStageDeps, file: FileRecord): Promise<CommitOperation> {
  const handle = await openHashedFile(ctx.localPath(file.path), file);
  try {
    const repoPath = ctx.pathInRepo(file.path);
    if (file.uploadMode === "lfs")
      return { kind: "lfsFile", path: repoPath, oid: file.sha256 ?? "", size: file.size };
    const content = await handle.readFile();
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
    return { kind: "file", path: repoPath, content };
  } finally {
    await handle.close();
  }
}
