import { readFile, rm } from "node:fs/promises";
import path from "node:path";
import { HubpushError } from "../common/hubpush-error.js";
import type { CommitOperation as HubOperation, PathInfo } from "../core/hub/hub-client.js";
import { OptionReader } from "./check-options.js";
import {
  type CommitOperation,
  CommitOperationAdd,
  CommitOperationCopy,
  checkOperations,
} from "./commit-operations.js";
import {
  type CommitSession,
  type CommitTarget,
  openCommitSession,
  uploadAdditions,
} from "./preupload-lfs-files.js";
import type { CommitInfo } from "./upload-result.js";

export interface CreateCommitOptions extends CommitTarget {
  readonly repoId: string;
  /** Adds, deletes and copies, applied in this order of the list; each path at most once. */
  readonly operations: readonly CommitOperation[];
  readonly commitMessage: string;
  readonly commitDescription?: string;
  /** The commit fails (412) when the branch's head is no longer this commit. */
  readonly parentCommit?: string;
  /** Open a pull request from the revision (a branch) with this commit, instead of committing to the branch. */
  readonly createPr?: boolean;
}

/** What createCommit resolves with. */
export interface CreateCommitResult extends CommitInfo {
  /** With createPr: the pull request the commit opened. */
  readonly pullRequest?: { readonly number: number; readonly url: string };
}

/**
 * create_commit: one commit with the given operations, built with the engine's Hub client. LFS
 * additions are uploaded first (skipped when preuploadLfsFiles already did, or when the Hub has
 * the object); copies reference the source's LFS oid, so nothing is uploaded for them.
 * Not journaled: it is one request, and calling it again re-sends only what the Hub lacks.
 */
export async function createCommit(options: CreateCommitOptions): Promise<CreateCommitResult> {
  const reader = new OptionReader("createCommit", options);
  const operations = checkOperations("createCommit", reader.raw("operations"));
  const summary = reader.requiredString("commitMessage");
  const description = reader.string("commitDescription");
  const parentCommit = reader.string("parentCommit");
  const createPr = reader.boolean("createPr") ?? false;
  const session = openCommitSession(reader, reader.raw("repoId"), "createCommit");
  const additions = operations.filter((op): op is CommitOperationAdd => op instanceof CommitOperationAdd);
  try {
    await uploadAdditions(session, additions);
    const sources = await copySources(session, operations);
    const lines: HubOperation[] = [];
    for (const op of operations) {
      const line = await toLine(op, sources);
      if (line !== null) lines.push(line);
    }
    const answer = await session.hub.commit(
      session.repo,
      session.revision,
      {
        summary,
        ...(description === undefined ? {} : { description }),
        ...(parentCommit === undefined ? {} : { parentCommit }),
        operations: lines,
        ...(createPr ? { createPr } : {}),
      },
      session.signal,
    );
    await Promise.all(additions.map((a) => dropSpool(session, a)));
    return {
      oid: answer.commitOid,
      url: answer.commitUrl,
      ...(answer.pullRequest === undefined
        ? {}
        : { pullRequest: { number: answer.pullRequest.num, url: answer.pullRequest.url } }),
    };
  } finally {
    await session.hub.close();
  }
}

async function toLine(
  op: CommitOperation,
  sources: ReadonlyMap<string, PathInfo>,
): Promise<HubOperation | null> {
  switch (op.kind) {
    case "delete":
      return { kind: op.isFolder ? "deletedFolder" : "deletedFile", path: op.pathInRepo };
    case "copy": {
      const lfs = sources.get(copyKey(op))?.lfs;
      if (lfs === undefined || lfs === null)
        throw new HubpushError("ERR_INTERNAL", "copy source not resolved");
      return { kind: "lfsFile", path: op.pathInRepo, oid: lfs.oid, size: lfs.size };
    }
    case "add": {
      const info = op.uploadInfo;
      if (info === null || info.uploadMode === null)
        throw new HubpushError("ERR_INTERNAL", "addition not planned");
      if (info.shouldIgnore) return null;
      if (info.uploadMode === "lfs")
        return { kind: "lfsFile", path: op.pathInRepo, oid: info.sha256, size: info.size };
      return { kind: "file", path: op.pathInRepo, content: await readFile(info.localPath) };
    }
  }
}

function copyKey(op: CommitOperationCopy): string {
  return `${op.srcRevision ?? ""}\0${op.srcPathInRepo}`;
}

/** The LFS oid of every copy source (paths-info per source revision); refuses sources that are not LFS files. */
async function copySources(
  session: CommitSession,
  operations: readonly CommitOperation[],
): Promise<Map<string, PathInfo>> {
  const copies = operations.filter((op): op is CommitOperationCopy => op instanceof CommitOperationCopy);
  const byRevision = new Map<string, CommitOperationCopy[]>();
  for (const op of copies) {
    const rev = op.srcRevision ?? session.revision;
    byRevision.set(rev, [...(byRevision.get(rev) ?? []), op]);
  }
  const out = new Map<string, PathInfo>();
  for (const [revision, ops] of byRevision) {
    const infos = await session.hub.pathsInfo(
      session.repo,
      revision,
      [...new Set(ops.map((op) => op.srcPathInRepo))],
      session.signal,
    );
    const found = new Map(infos.map((i) => [i.path, i]));
    for (const op of ops) {
      const info = found.get(op.srcPathInRepo);
      if (info === undefined || info.type !== "file") {
        throw new HubpushError(
          "ERR_HUB_ENTRY_NOT_FOUND",
          `CommitOperationCopy: ${op.srcPathInRepo} is not a file at revision ${revision} of ${session.repo.id}`,
          { details: { path: op.srcPathInRepo, revision } },
        );
      }
      if (info.lfs === null) {
        throw new HubpushError(
          "ERR_USAGE",
          `CommitOperationCopy: ${op.srcPathInRepo} is a regular (non-LFS) file; only LFS files are copied by oid: add it again with CommitOperationAdd`,
          { details: { option: "operations", path: op.srcPathInRepo } },
        );
      }
      out.set(copyKey(op), info);
    }
  }
  return out;
}

/** Spooled bytes of an addition are not needed once committed. */
async function dropSpool(session: CommitSession, add: CommitOperationAdd): Promise<void> {
  const local = add.uploadInfo?.localPath;
  if (local === undefined || typeof add.pathOrFileobj === "string") return;
  if (path.dirname(path.dirname(local)) !== path.join(session.context.paths.home, "spool")) return;
  await rm(path.dirname(local), { recursive: true, force: true });
}
