import type { ScannedFile } from "../../storage/journal.js";
import type { HashPool } from "../hash/hash-pool.js";
import type { HubClient, HubRepo } from "../hub/hub-client.js";
import { compareFiles, type FileComparison, type LocalOid } from "./compare-files.js";
import { type CompareTargetOptions, compareEntries, resolveCompareTarget } from "./compare-target.js";
import { hashTargetFiles } from "./hash-target-files.js";
import type { HashLookup } from "./local-hasher.js";
import { remoteFiles } from "./remote-files.js";
import { requireRevision } from "./require-revision.js";

export interface VerifyOptions extends CompareTargetOptions {
  /** The folder or file given on the command line. */
  readonly given: string;
  readonly hub: HubClient;
  readonly repo: HubRepo;
  readonly revision: string;
  /** The journal's hashes of the same job, keyed by path relative to the target's root; or null. */
  readonly lookup: (root: string, single: string | null) => HashLookup | null;
  readonly pool: HashPool;
  /** Progress of hashing: bytes done so far and in all (files taken from the journal excluded). */
  readonly onProgress?: (done: number, total: number) => void;
  readonly signal?: AbortSignal;
}

export interface VerifyProblem {
  readonly path: string;
  readonly code: string;
  readonly message: string;
}

export interface VerifySummary {
  readonly localFiles: number;
  readonly localBytes: number;
  readonly remoteFiles: number;
  readonly identical: number;
  readonly different: number;
  readonly missingRemotely: number;
  readonly onlyRemote: number;
  /** Local files that could not be read or were left out by the scan (not compared). */
  readonly unreadable: number;
  /** Files and bytes read to hash them; files whose journal hashes were reused are not read. */
  readonly filesHashed: number;
  readonly bytesHashed: number;
  readonly filesFromJournal: number;
}

export interface VerifyResult extends FileComparison {
  readonly unreadable: VerifyProblem[];
  readonly summary: VerifySummary;
  /** Every local file is identical remotely and nothing else is under the prefix. */
  readonly ok: boolean;
}

/**
 * `hubpush verify`: proves file by file that the remote branch holds what the folder holds. Reads
 * only: the Hub (repo info, tree listing or paths-info) and the journal's hashes (read-only).
 */
export async function runVerify(options: VerifyOptions): Promise<VerifyResult> {
  const { hub, repo, revision, signal } = options;
  await requireRevision(hub, repo, revision, signal);
  const target = await resolveCompareTarget(options.given, options);
  const remotePromise = remoteFiles(hub, repo, revision, target, signal);
  // A rejection before it is awaited must not crash the process as "unhandled".
  remotePromise.catch(() => undefined);

  const files: ScannedFile[] = [];
  const unreadable: VerifyProblem[] = [];
  for await (const entry of compareEntries(target, { ...options, ...(signal ? { signal } : {}) })) {
    if (entry.kind === "file") files.push(entry.file);
    else if (entry.kind === "skipped")
      unreadable.push({ path: entry.path, code: entry.code, message: entry.reason });
  }
  const result = await hashTargetFiles(files, {
    root: target.root,
    lookup: options.lookup(target.root, target.single),
    pool: options.pool,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(signal ? { signal } : {}),
  });
  unreadable.push(...result.problems);
  let localBytes = 0;
  const locals: LocalOid[] = result.hashed.map((h) => {
    localBytes += h.size;
    return { path: target.remotePath(h.path), size: h.size, sha256: h.sha256, sha1: h.sha1 };
  });
  const remote = await remotePromise;
  // The Hub creates `.gitattributes` with every repo: it is not a difference unless the folder has one.
  if (target.single === null && target.pathInRepo === "" && !files.some((f) => f.path === ".gitattributes")) {
    remote.delete(".gitattributes");
  }
  const comparison = compareFiles(locals, remote);
  unreadable.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const summary: VerifySummary = {
    localFiles: files.length,
    localBytes,
    remoteFiles: remote.size,
    identical: comparison.identical.length,
    different: comparison.different.length,
    missingRemotely: comparison.missingRemotely.length,
    onlyRemote: comparison.onlyRemote.length,
    unreadable: unreadable.length,
    filesHashed: result.filesHashed,
    bytesHashed: result.bytesHashed,
    filesFromJournal: result.filesFromJournal,
  };
  const ok = summary.different + summary.missingRemotely + summary.onlyRemote + summary.unreadable === 0;
  return { ...comparison, unreadable, summary, ok };
}
