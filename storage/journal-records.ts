/** The records the journal reads and writes: jobs, files, commits, LFS plans, events. */

export type RepoType = "model" | "dataset" | "space";

/**
 * File states, in stage order:
 * - scanned: found by a scan, needs hashing (also after a stat change or a failed integrity check);
 * - hashed: sha256 + blob sha1 + sample known, needs a plan (preupload);
 * - planned: the Hub wants it as LFS and the object is not uploaded yet;
 * - uploaded: the Hub can take it in a commit (LFS object stored, or a regular file whose bytes go
 *   inline in the commit);
 * - committing: part of a commit batch that was sent and not settled yet (commitId is set);
 * - committed: the Hub answered a commit containing it with a commitOid (terminal);
 * - skipped: the remote already holds identical content (terminal);
 * - ignored: the Hub said shouldIgnore (terminal);
 * - failed: a permanent error for this file (terminal until a retry);
 * - vanished: the file disappeared locally before it was committed (terminal until it reappears).
 */
export type FileState =
  | "scanned"
  | "hashed"
  | "planned"
  | "uploaded"
  | "committing"
  | "committed"
  | "skipped"
  | "ignored"
  | "failed"
  | "vanished";

export const FILE_STATES: readonly FileState[] = [
  "scanned",
  "hashed",
  "planned",
  "uploaded",
  "committing",
  "committed",
  "skipped",
  "ignored",
  "failed",
  "vanished",
];

/**
 * The pending states: a file in one still needs work from some stage (the job is not done while
 * one holds a file). Written once here; every count of "files left" sums these.
 */
export const PENDING_FILE_STATES = [
  "scanned",
  "hashed",
  "planned",
  "uploaded",
  "committing",
] as const satisfies readonly FileState[];

/**
 * - active: workers claim its files;
 * - paused: no new claims (in-flight work finishes);
 * - blocked: a permanent job-level error (bad token, repo missing); cleared by retry;
 * - cancelled: stopped by the user; what is committed stays committed;
 * - done: every file is in a terminal state (committed, skipped, ignored, failed, vanished).
 */
export type JobState = "active" | "paused" | "blocked" | "cancelled" | "done";

export type UploadMode = "regular" | "lfs";

/**
 * What the user asked for the repo's visibility when it has to be created: "default" sends no
 * `private` key, so the Hub applies the namespace's default (an organization may be private by default).
 */
export type RepoVisibility = "default" | "private" | "public";

/** The SDK a new Space is created with (the Hub refuses a Space without one). */
export type SpaceSdk = "gradio" | "streamlit" | "docker" | "static";
export const SPACE_SDKS: readonly SpaceSdk[] = ["gradio", "streamlit", "docker", "static"];

/**
 * What a job uploads: a folder (every file under it, filtered), or one regular file. For a "file"
 * job, JobSpec.folder is the file's path and JobSpec.pathInRepo the file's full path in the repo.
 */
export type JobKind = "folder" | "file";
export const JOB_KINDS: readonly JobKind[] = ["folder", "file"];

/** What identifies a job: the same spec given twice finds the same job. */
export interface JobSpec {
  /** Absolute, resolved folder path (a file job: the file's path). */
  readonly folder: string;
  /** Hub endpoint base URL without trailing slash, e.g. https://huggingface.co */
  readonly endpoint: string;
  readonly repoType: RepoType;
  /** namespace/name */
  readonly repoId: string;
  /** Branch name (raw, not encoded). */
  readonly revision: string;
  /**
   * Prefix inside the repo, POSIX, no leading or trailing slash; "" for the root. A file job: the
   * file's full path in the repo (never "").
   */
  readonly pathInRepo: string;
  /** Absent: "folder". Not part of the identity (a path is a file or a folder, not both). */
  readonly kind?: JobKind;
}

/** Settings of a job that do not change its identity. */
export interface JobOptions {
  readonly include: readonly string[];
  readonly exclude: readonly string[];
  /** Commit summary; " (part k)" is appended from the second commit on. */
  readonly message: string;
  /**
   * Commit description (the header's `description`, --commit-description); "" or absent for none.
   * Optional so options written by code that predates it stay valid as they are.
   */
  readonly commitDescription?: string;
  readonly visibility: RepoVisibility;
  /** Space jobs: the SDK sent when the Space is created; null for models and datasets. */
  readonly spaceSdk: SpaceSdk | null;
  /** Path of a token file given with --token-file (never the token itself). */
  readonly tokenFile: string | null;
  readonly watch: boolean;
  /** Watch mode: minutes between scheduled commits. */
  readonly everyMinutes: number | null;
  /** Watch mode: mirror local deletions to the repo. */
  readonly deleteRemote: boolean;
  /** --create-pr: the job's first commit opens a pull request; later commits go to its refs/pr/N. */
  readonly createPr?: boolean;
  /** --delete GLOB: remote files under the path in repo that match are deleted in the first commit. */
  readonly deletePatterns?: readonly string[];
  /**
   * How LFS files travel (--transfer, docs/xet.md): auto offers Xet and uses it when the Hub
   * answers with it, xet requires it, lfs never offers it. Optional: rows written before it mean auto.
   */
  readonly transfer?: TransferMode;
}

/** --transfer values; auto is the default. */
export const TRANSFER_MODES = ["auto", "xet", "lfs"] as const;
export type TransferMode = (typeof TRANSFER_MODES)[number];

export interface ErrorInfo {
  /** A HubpushError code, e.g. ERR_HUB_UNAUTHORIZED. */
  readonly code: string;
  readonly message: string;
}

export interface JobRecord extends JobSpec {
  readonly id: number;
  readonly kind: JobKind;
  readonly state: JobState;
  readonly options: JobOptions;
  /** Why the job is blocked (state blocked), else null. */
  readonly blocked: ErrorInfo | null;
  /** The most recent error of any file or call in this job, for status. */
  readonly lastError: (ErrorInfo & { readonly at: number }) | null;
  /** Commits this job has made (answered with a commitOid). */
  readonly commitsMade: number;
  /** Total bytes read by the hash stage for this job (re-hashing shows up here). */
  readonly bytesHashed: number;
  readonly scanGeneration: number;
  readonly lastScanAt: number | null;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly finishedAt: number | null;
  /** The name the Hub redirected this repo to (renamed or moved), else null; later calls use it. */
  readonly movedRepoId: string | null;
  /** --create-pr: the number N of the pull request the job opened (commits go to refs/pr/N), else null. */
  readonly pullRequest?: number | null;
  /** --create-pr: the highest discussion number listed before a create_pr commit was sent, else null. */
  readonly pullRequestFloor?: number | null;
  /** --delete GLOB: when the remote listing was matched and its deletions queued, else null. */
  readonly deletionsListedAt?: number | null;
}

/** A file's identity on disk. Nanosecond times and inodes are decimal strings (they exceed 2^53). */
export interface FileStat {
  readonly size: number;
  readonly mtimeNs: string;
  readonly ctimeNs: string;
  readonly inode: string;
}

export interface ScannedFile extends FileStat {
  /** POSIX path relative to the job's folder. */
  readonly path: string;
}

export interface FileHashes {
  /** sha256 of the content, lowercase hex (the LFS oid). */
  readonly sha256: string;
  /**
   * git blob sha1 ("blob <size>\0" + content), lowercase hex (the regular-file oid); null for files
   * over 10 MiB, which the Hub only takes as LFS.
   */
  readonly sha1: string | null;
  /** Standard base64 of the first ≤ 512 bytes ("" for an empty file). */
  readonly sample: string;
}

export interface FileRecord extends FileStat {
  readonly id: number;
  readonly jobId: number;
  readonly path: string;
  readonly state: FileState;
  readonly sha256: string | null;
  readonly sha1: string | null;
  readonly sample: string | null;
  readonly uploadMode: UploadMode | null;
  /** The oid the remote held at plan time (null: absent). */
  readonly remoteOid: string | null;
  /** The commit batch the file belongs to while committing / once committed. */
  readonly commitId: number | null;
  /** Transient failures since the last success. */
  readonly attempts: number;
  /** Epoch ms before which no stage may claim it; null = now. */
  readonly nextAttemptAt: number | null;
  readonly lastError: ErrorInfo | null;
  /** How many times the hash stage recorded a result for this file. */
  readonly hashCount: number;
  readonly updatedAt: number;
}

/** A local deletion to mirror on the Hub (--delete): pending → committing (in a batch) → deleted. */
export interface RemoteDeletion {
  readonly id: number;
  /** Path relative to the job's folder, as FileRecord.path. */
  readonly path: string;
  readonly state: "pending" | "committing" | "deleted";
  readonly commitId: number | null;
}

export interface ScanBatchResult {
  readonly added: number;
  readonly changed: number;
  readonly unchanged: number;
}

/** One file's hash result for StagesJournal.recordHashedMany. */
export interface HashedResult {
  readonly fileId: number;
  /** The stat the file was claimed with (the row must still hold it). */
  readonly expected: FileStat;
  /** The stat the hashes belong to (stored with them). */
  readonly observed: FileStat;
  readonly hashes: FileHashes;
}

export interface PlanResult {
  readonly fileId: number;
  readonly uploadMode: UploadMode;
  readonly remoteOid: string | null;
  /** planned (LFS to upload), uploaded (regular, ready), skipped (remote identical), ignored. */
  readonly next: "planned" | "uploaded" | "skipped" | "ignored";
}

export interface LfsPlan {
  readonly oid: string;
  readonly size: number;
  readonly chunkSize: number;
  readonly completionUrl: string;
  /** Part URLs, index 0 = part 1. */
  readonly partUrls: readonly string[];
  /** Epoch ms after which the URLs must not be used; null when the Hub gave no expiry. */
  readonly expiresAt: number | null;
  readonly verifyUrl: string | null;
  readonly verifyHeader: Readonly<Record<string, string>> | null;
}

export interface StoredLfsPlan extends LfsPlan {
  readonly fileId: number;
  readonly createdAt: number;
  /** ETags of finished parts, verbatim (quotes included), by part number (1-based). */
  readonly doneParts: ReadonlyMap<number, string>;
}

/**
 * - sent: recorded before the NDJSON POST; after a crash it is treated as unknown;
 * - unknown: the answer was lost; must be reconciled with paths-info before any resend;
 * - committed: the Hub answered with commitOid;
 * - failed: the Hub refused it (nothing applied); its files went back to uploaded;
 * - reconciled: was unknown; files found remotely are committed, the rest went back to uploaded.
 */
export type CommitState = "sent" | "unknown" | "committed" | "failed" | "reconciled";

export interface CommitRecord {
  readonly id: number;
  readonly jobId: number;
  readonly state: CommitState;
  readonly message: string;
  readonly fileCount: number;
  readonly commitOid: string | null;
  readonly error: ErrorInfo | null;
  readonly createdAt: number;
  readonly settledAt: number | null;
}

export interface StateCount {
  readonly files: number;
  readonly bytes: number;
}

export interface JobCounts {
  readonly byState: Readonly<Record<FileState, StateCount>>;
  /** Files with a pending retry (nextAttemptAt set after a transient failure). */
  readonly waiting: number;
  readonly total: StateCount;
}

export interface EventRecord {
  /** Increases by exactly 1 per event, persisted; a gap means events were pruned. */
  readonly id: number;
  readonly at: number;
  readonly jobId: number | null;
  /** <noun>.<past-verb>, e.g. job.added, commit.sent, file.failed. */
  readonly type: string;
  readonly data: Readonly<Record<string, unknown>>;
}

export interface ClaimOptions {
  readonly jobId: number;
  readonly state: FileState;
  readonly limit: number;
  /** The lease id of the claiming loop (unique per process); only its holder can record a result. */
  readonly leaseId: string;
  readonly leaseMs: number;
  /** Only files of this upload mode (e.g. lfs for the upload stage). */
  readonly uploadMode?: UploadMode;
}

/** Injected time, so schedules and leases are testable without sleeping. */
export type NowFn = () => number;
