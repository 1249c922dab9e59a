import { readFile } from "node:fs/promises";
import path from "node:path";
import type { ScannedFile } from "../../storage/journal.js";
import type { EngineTuning } from "../engine-tuning.js";
import type { HashPool } from "../hash/hash-pool.js";
import type { HubClient, HubRepo, PreuploadAnswer } from "../hub/hub-client.js";
import {
  type CompareTarget,
  type CompareTargetOptions,
  compareEntries,
  resolveCompareTarget,
} from "../verify/compare-target.js";
import { hashTargetFiles, type OkHash } from "../verify/hash-target-files.js";
import type { HashLookup } from "../verify/local-hasher.js";
import type { VerifyProblem } from "../verify/run-verify.js";
import { deleteMatches } from "./delete-matches.js";
import { estimateCommits } from "./estimate-commits.js";
import { localUploadMode } from "./local-upload-mode.js";
import { type RemoteState, remoteState } from "./remote-state.js";
import { checkRepoLimits, type LimitWarning, type RepoFile, type RepoLimits } from "./repo-limits.js";

export interface PlanOptions extends CompareTargetOptions {
  readonly given: string;
  readonly hub: HubClient;
  readonly repo: HubRepo;
  readonly revision: string;
  readonly lookup: (root: string, single: string | null) => HashLookup | null;
  readonly pool: HashPool;
  /** --delete globs (relative to the path in the repo). */
  readonly deletePatterns: readonly string[];
  readonly limits: RepoLimits;
  readonly tuning: Pick<
    EngineTuning,
    "commitSizes" | "initialCommitSizeIndex" | "slowCommitMs" | "maxInlineBytesPerCommit" | "preuploadBatch"
  >;
  /** --rate, bytes per second, for the time estimate; null: no estimate. */
  readonly rateBytesPerSec: number | null;
  readonly onProgress?: (done: number, total: number) => void;
  readonly signal?: AbortSignal;
}

export interface PlanCount {
  readonly files: number;
  readonly bytes: number;
}

export interface PlanResult {
  readonly remote: Omit<RemoteState, "files">;
  /** Where the upload modes come from: the Hub's preupload, or its rules applied here (new repo). */
  readonly modesFrom: "preupload" | "local-rules";
  /** Files the upload would take (after .gitignore, --include, --exclude). */
  readonly local: PlanCount;
  /** Files of the folder the filters leave out. */
  readonly excluded: PlanCount;
  /** Entries that cannot be uploaded (special files, unreadable, over the size limit). */
  readonly notUploadable: VerifyProblem[];
  readonly upload: { readonly regular: PlanCount; readonly lfs: PlanCount; readonly total: PlanCount };
  /** Identical on the Hub already: skipped. */
  readonly alreadyOnHub: PlanCount;
  /** The Hub's rules (preupload shouldIgnore) leave them out. */
  readonly ignored: PlanCount & { readonly paths: string[] };
  /** Remote files `--delete` would delete. */
  readonly deletions: string[];
  readonly commits: number;
  readonly estimatedSeconds: number | null;
  readonly warnings: LimitWarning[];
  readonly bytesHashed: number;
  readonly filesFromJournal: number;
}

type Action = "upload-regular" | "upload-lfs" | "skip" | "ignore";

const count = (files: number, bytes: number): PlanCount => ({ files, bytes });

/**
 * `hubpush plan`: what an upload of this target would do, asking the Hub only read-only questions
 * (repo info, tree listing, preupload). No commit, no LFS batch, nothing written to the journal.
 */
export async function runPlan(options: PlanOptions): Promise<PlanResult> {
  const { hub, repo, signal } = options;
  const target = await resolveCompareTarget(options.given, options);
  const remote = await remoteState(hub, repo, options.revision, signal);

  const kept: ScannedFile[] = [];
  const refused: ScannedFile[] = [];
  const notUploadable: VerifyProblem[] = [];
  let excluded = count(0, 0);
  for await (const entry of compareEntries(target, {
    ...options,
    everything: true,
    ...(signal ? { signal } : {}),
  })) {
    if (entry.kind === "file") {
      if (target.single !== null || target.covers(target.remotePath(entry.file.path))) {
        if (entry.file.size > options.limits.maxFileBytes) {
          refused.push(entry.file);
          notUploadable.push({
            path: entry.file.path,
            code: "ERR_FILE_TOO_LARGE",
            message: `${entry.file.size} bytes, over the ${options.limits.maxFileBytes}-byte limit per file`,
          });
        } else kept.push(entry.file);
      } else excluded = count(excluded.files + 1, excluded.bytes + entry.file.size);
    } else if (entry.kind === "skipped" && target.covers(target.remotePath(entry.path))) {
      notUploadable.push({ path: entry.path, code: entry.code, message: entry.reason });
    }
  }

  const hashing = await hashTargetFiles(kept, {
    root: target.root,
    lookup: options.lookup(target.root, target.single),
    pool: options.pool,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(signal ? { signal } : {}),
  });
  notUploadable.push(...hashing.problems);
  const hashes = hashing.hashed;
  const actions = await decide(target, hashes, remote, options);

  let regular = count(0, 0);
  let lfs = count(0, 0);
  let skipped = count(0, 0);
  let ignored = count(0, 0);
  const ignoredPaths: string[] = [];
  const commitItems: { inlineBytes: number }[] = [];
  hashes.forEach((h, i) => {
    const action = actions[i];
    if (action === "upload-regular") {
      regular = count(regular.files + 1, regular.bytes + h.size);
      commitItems.push({ inlineBytes: h.size });
    } else if (action === "upload-lfs") {
      lfs = count(lfs.files + 1, lfs.bytes + h.size);
      commitItems.push({ inlineBytes: 0 });
    } else if (action === "skip") skipped = count(skipped.files + 1, skipped.bytes + h.size);
    else {
      ignored = count(ignored.files + 1, ignored.bytes + h.size);
      ignoredPaths.push(target.remotePath(h.path));
    }
  });
  const uploaded = new Set(kept.map((f) => target.remotePath(f.path)));
  const deletions = deleteMatches(remote.files.keys(), options.deletePatterns, target.pathInRepo, uploaded);
  const total = count(regular.files + lfs.files, regular.bytes + lfs.bytes);
  const { files: _files, ...remoteSummary } = remote;
  return {
    remote: remoteSummary,
    modesFrom: remote.repoExists ? "preupload" : "local-rules",
    local: count(
      kept.length,
      kept.reduce((n, f) => n + f.size, 0),
    ),
    excluded,
    notUploadable: notUploadable.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
    upload: { regular, lfs, total },
    alreadyOnHub: skipped,
    ignored: { ...ignored, paths: ignoredPaths.sort() },
    deletions,
    commits: estimateCommits(commitItems, deletions.length, options.tuning),
    estimatedSeconds:
      options.rateBytesPerSec === null ? null : Math.ceil(total.bytes / options.rateBytesPerSec),
    warnings: checkRepoLimits(
      repoAfter(remote, target, [...kept, ...refused], ignoredPaths, deletions),
      options.limits,
    ),
    bytesHashed: hashing.bytesHashed,
    filesFromJournal: hashing.filesFromJournal,
  };
}

/** Each file's fate, as the plan stage (plan-stage.ts toPlan) would decide it. */
async function decide(
  target: CompareTarget,
  hashes: readonly OkHash[],
  remote: RemoteState,
  options: PlanOptions,
): Promise<Action[]> {
  if (!remote.repoExists) {
    const gitattributes = await uploadedRootFile(target, ".gitattributes");
    const mode = localUploadMode(options.repo.type, gitattributes);
    return hashes.map((h) =>
      mode(target.remotePath(h.path), h.size, h.sample) === "lfs" ? "upload-lfs" : "upload-regular",
    );
  }
  const gitIgnore = await uploadedRootFile(target, ".gitignore");
  const actions: Action[] = [];
  for (let i = 0; i < hashes.length; i += options.tuning.preuploadBatch) {
    const batch = hashes.slice(i, i + options.tuning.preuploadBatch);
    const answers: PreuploadAnswer[] = await options.hub.preupload(
      options.repo,
      remote.baseRevision,
      batch.map((h) => ({ path: target.remotePath(h.path), sample: h.sample, size: h.size })),
      { ...(gitIgnore === null ? {} : { gitIgnore }), ...(options.signal ? { signal: options.signal } : {}) },
    );
    batch.forEach((h, j) => {
      const answer = answers[j];
      const oid = answer?.oid ?? null;
      if (answer?.shouldIgnore) actions.push("ignore");
      else if (oid !== null && (oid === h.sha256 || oid === h.sha1)) actions.push("skip");
      else actions.push(h.size === 0 || answer?.uploadMode !== "lfs" ? "upload-regular" : "upload-lfs");
    });
  }
  return actions;
}

/**
 * The content of a root file the job uploads (`.gitignore` for preupload, as the plan stage sends
 * it; `.gitattributes` for the local rules), or null when the job uploads none at the repo root.
 */
async function uploadedRootFile(target: CompareTarget, name: string): Promise<string | null> {
  if (target.single !== null || target.pathInRepo !== "" || !target.covers(name)) return null;
  return readFile(path.join(target.root, name), "utf8").catch(() => null);
}

/** The repo's files once the upload is done: the remote ones, minus deletions, plus the new ones. */
function* repoAfter(
  remote: RemoteState,
  target: CompareTarget,
  kept: readonly ScannedFile[],
  ignored: readonly string[],
  deletions: readonly string[],
): Generator<RepoFile> {
  const gone = new Set(deletions);
  const skip = new Set(ignored);
  const local = new Map(kept.map((f) => [target.remotePath(f.path), f.size]));
  for (const p of remote.files.keys()) if (!gone.has(p) && !local.has(p)) yield { path: p, size: null };
  for (const [p, size] of local) if (!skip.has(p)) yield { path: p, size };
}
