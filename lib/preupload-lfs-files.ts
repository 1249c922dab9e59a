import { randomBytes } from "node:crypto";
import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { HubpushError } from "../common/hubpush-error.js";
import { hashFile } from "../core/hash/hash-file.js";
import type { HubClient, HubRepo } from "../core/hub/hub-client.js";
import { UndiciHubClient } from "../core/hub/undici-hub-client.js";
import { ensureStateDir } from "../daemon/ensure-state-dir.js";
import { OptionReader } from "./check-options.js";
import { CommitOperationAdd } from "./commit-operations.js";
import { transferLfsObject } from "./lfs-transfer.js";
import { type HubOptions, type LibraryContext, libraryContext } from "./library-context.js";
import { spoolSource } from "./spool.js";
import { REPO_TYPES } from "./upload-folder.js";

/** Where a commit goes: the repo, its type and the branch. */
export interface CommitTarget extends HubOptions {
  /** Default "model". */
  readonly repoType?: "model" | "dataset" | "space";
  /** Branch; default "main". */
  readonly revision?: string;
  /** Aborts the requests in flight; the call rejects. */
  readonly signal?: AbortSignal;
}

export type PreuploadLfsFilesOptions = CommitTarget;

/** Paths per preupload call and objects per LFS batch call (the Hub's limit is 100 for both). */
const BATCH = 100;

/** A Hub client and the repo, for the one-shot calls (createCommit, preuploadLfsFiles). */
export interface CommitSession {
  readonly context: LibraryContext;
  readonly hub: HubClient;
  readonly repo: HubRepo;
  readonly revision: string;
  readonly signal: AbortSignal | undefined;
}

export function openCommitSession(reader: OptionReader, repoId: unknown, fn: string): CommitSession {
  if (typeof repoId !== "string" || repoId === "") {
    throw new HubpushError("ERR_USAGE", `${fn}(): \`repoId\` must be a repo id like alice/my-model`, {
      details: { option: "repoId" },
    });
  }
  const context = libraryContext(reader);
  const repo: HubRepo = { type: reader.oneOf("repoType", REPO_TYPES) ?? "model", id: repoId };
  return {
    context,
    hub: new UndiciHubClient({ endpoint: context.endpoint, token: () => context.tokenFor(null) }),
    repo,
    revision: reader.string("revision") ?? "main",
    signal: reader.signal("signal"),
  };
}

/**
 * preupload_lfs_files: hashes the additions, asks the Hub how each travels, and uploads the LFS
 * ones now, so a later createCommit with the same operation objects only commits. Bytes and streams
 * are spooled into the state directory first (the sha256 must be known before the upload).
 */
export async function preuploadLfsFiles(
  repoId: string,
  additions: readonly CommitOperationAdd[],
  options: PreuploadLfsFilesOptions = {},
): Promise<void> {
  const reader = new OptionReader("preuploadLfsFiles", options);
  if (!Array.isArray(additions) || !additions.every((a) => a instanceof CommitOperationAdd)) {
    throw new HubpushError(
      "ERR_USAGE",
      "preuploadLfsFiles(): `additions` must be a list of CommitOperationAdd",
      {
        details: { option: "additions" },
      },
    );
  }
  const session = openCommitSession(reader, repoId, "preuploadLfsFiles");
  try {
    await uploadAdditions(session, additions);
  } finally {
    await session.hub.close();
  }
}

/** Prepares, plans and uploads what is not done yet; used by createCommit too. */
export async function uploadAdditions(
  session: CommitSession,
  additions: readonly CommitOperationAdd[],
): Promise<void> {
  for (const add of additions) if (add.uploadInfo === null) await prepare(session.context, add);
  const unplanned = additions.filter((a) => a.uploadInfo?.uploadMode === null);
  for (let i = 0; i < unplanned.length; i += BATCH) {
    const batch = unplanned.slice(i, i + BATCH);
    const answers = await session.hub.preupload(
      session.repo,
      session.revision,
      batch.map((a) => ({ path: a.pathInRepo, sample: info(a).sample, size: info(a).size })),
      session.signal === undefined ? {} : { signal: session.signal },
    );
    batch.forEach((add, k) => {
      const answer = answers[k];
      if (answer === undefined) throw new HubpushError("ERR_HUB_PROTOCOL", "the preupload answer is short");
      add.uploadInfo = { ...info(add), uploadMode: answer.uploadMode, shouldIgnore: answer.shouldIgnore };
    });
  }
  const lfs = additions.filter((a) => a.uploadInfo?.uploadMode === "lfs" && !a.uploadInfo.uploaded);
  for (let i = 0; i < lfs.length; i += BATCH) {
    const batch = lfs.slice(i, i + BATCH);
    const answers = await session.hub.lfsBatch(
      session.repo,
      session.revision,
      batch.map((a) => ({ oid: info(a).sha256, size: info(a).size })),
      session.signal,
    );
    for (const [k, add] of batch.entries()) {
      const answer = answers[k];
      if (answer === undefined) throw new HubpushError("ERR_HUB_PROTOCOL", "the LFS batch answer is short");
      await transferLfsObject(session.hub, answer, info(add).localPath, session.signal);
      add.uploadInfo = { ...info(add), uploaded: true };
    }
  }
}

function info(add: CommitOperationAdd) {
  if (add.uploadInfo === null) throw new HubpushError("ERR_INTERNAL", `${add.pathInRepo} was not prepared`);
  return add.uploadInfo;
}

async function prepare(context: LibraryContext, add: CommitOperationAdd): Promise<void> {
  let localPath: string;
  if (typeof add.pathOrFileobj === "string") {
    localPath = path.resolve(context.cwd, add.pathOrFileobj);
  } else {
    ensureStateDir(context.paths.home);
    const dir = path.join(context.paths.home, "spool", `op-${randomBytes(8).toString("hex")}`);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    localPath = path.join(dir, "content");
    try {
      await spoolSource(add.pathOrFileobj, localPath, `pathOrFileobj of ${add.pathInRepo}`);
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
  }
  const outcome = await hashFile(localPath);
  if (!outcome.ok) {
    throw new HubpushError(outcome.code, `${add.pathInRepo}: ${outcome.message}`, {
      details: { path: localPath },
    });
  }
  add.uploadInfo = {
    sha256: outcome.hashes.sha256,
    sha1: outcome.hashes.sha1,
    size: outcome.statAfter.size,
    sample: outcome.hashes.sample,
    localPath,
    uploadMode: null,
    shouldIgnore: false,
    uploaded: false,
  };
}
