/**
 * The journal's contract: every file's way through the stages, the jobs, LFS multipart progress,
 * commit batches and the event log. SqliteJournal implements it; no SQL lives outside storage/.
 *
 * Invariant: the journal never claims more progress than happened. A state is written only after
 * the effect it records (a hash computed, a Hub answer received, a commitOid returned).
 */

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

/** States in which a file still needs work from some stage. */
export const ACTIVE_FILE_STATES: readonly FileState[] = [
  "scanned",
  "hashed",
  "planned",
  "uploaded",
  "committing",
];

/**
 * - active: workers claim its files;
 * - paused: no new claims (in-flight work finishes);
 * - blocked: a permanent job-level error (bad token, repo missing); cleared by retry;
 * - cancelled: stopped by the user; what is committed stays committed;
 * - done: every file is in a terminal state (committed, skipped, ignored, failed, vanished).
 */
export type JobState = "active" | "paused" | "blocked" | "cancelled" | "done";

export type UploadMode = "regular" | "lfs";

/** What identifies a job: the same spec given twice finds the same job. */
export interface JobSpec {
  /** Absolute, resolved folder path. */
  readonly folder: string;
  /** Hub endpoint base URL without trailing slash, e.g. https://huggingface.co */
  readonly endpoint: string;
  readonly repoType: RepoType;
  /** namespace/name */
  readonly repoId: string;
  /** Branch name (raw, not encoded). */
  readonly revision: string;
  /** Prefix inside the repo, POSIX, no leading or trailing slash; "" for the root. */
  readonly pathInRepo: string;
}

/** Settings of a job that do not change its identity. */
export interface JobOptions {
  readonly include: readonly string[];
  readonly exclude: readonly string[];
  /** Commit summary; " (part k)" is appended from the second commit on. */
  readonly message: string;
  readonly private: boolean;
  /** Path of a token file given with --token-file (never the token itself). */
  readonly tokenFile: string | null;
  readonly watch: boolean;
  /** Watch mode: minutes between scheduled commits. */
  readonly everyMinutes: number | null;
  /** Watch mode: mirror local deletions to the repo. */
  readonly deleteRemote: boolean;
}

export interface ErrorInfo {
  /** A HubpushError code, e.g. ERR_HUB_UNAUTHORIZED. */
  readonly code: string;
  readonly message: string;
}

export interface JobRecord extends JobSpec {
  readonly id: number;
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
  /** Who holds the lease (worker id); only the holder can record a result. */
  readonly owner: string;
  readonly leaseMs: number;
  /** Only files of this upload mode (e.g. lfs for the upload stage). */
  readonly uploadMode?: UploadMode;
}

export interface Journal {
  /** Absolute path of the journal file. */
  readonly path: string;

  // Jobs
  /** Finds the job with this spec or creates it (state active). Options of an existing job are replaced. */
  upsertJob(spec: JobSpec, options: JobOptions): { job: JobRecord; created: boolean };
  findJob(spec: JobSpec): JobRecord | null;
  getJob(id: number): JobRecord | null;
  listJobs(): JobRecord[];
  /** Sets the state; `blocked` is stored when state is blocked and cleared otherwise. */
  setJobState(id: number, state: JobState, blocked?: ErrorInfo | null): JobRecord;
  recordJobError(id: number, error: ErrorInfo): void;

  // Scan
  /** Starts a scan generation for the job; returns its number. */
  beginScan(jobId: number): number;
  /**
   * Upserts one batch (one transaction): new paths → scanned; a stat that differs from the recorded
   * one → scanned (hashes, plan and LFS progress cleared), unless the file is committing; unchanged →
   * left alone. Every path in the batch is marked seen in this generation.
   */
  upsertScannedFiles(jobId: number, generation: number, files: readonly ScannedFile[]): ScanBatchResult;
  /**
   * Marks files not seen in this generation and not yet committed as vanished; returns their count.
   * With mirrorDeletions (--delete), committed and skipped files not seen vanish too, and every
   * vanished path is queued as a remote deletion (the committer drops those the Hub does not hold).
   */
  finishScan(
    jobId: number,
    generation: number,
    options?: { mirrorDeletions?: boolean },
  ): { vanished: number; deletionsQueued: number };

  // Claims and stage results
  /**
   * Atomically leases up to `limit` files of the job in `state` whose nextAttemptAt has passed and
   * that no live lease holds, ordered by id. Two claimers never receive the same file.
   */
  claimFiles(options: ClaimOptions): FileRecord[];
  /** Drops every lease (at start-up, when this process is the only writer) or those of one owner. */
  releaseLeases(owner?: string): number;
  releaseLease(fileId: number, owner: string): void;
  getFile(id: number): FileRecord | null;
  findFile(jobId: number, path: string): FileRecord | null;
  /** Files of a job in a state, ordered by id, for listing and tests. */
  listFiles(jobId: number, options?: { state?: FileState; afterId?: number; limit?: number }): FileRecord[];

  /**
   * Records hashes for a file claimed in `scanned`. Applied only if the lease is still held and the
   * recorded stat still equals `expected` (a rescan in between wins); the stat is set to `observed`.
   * Increments hashCount and the job's bytesHashed. Returns whether it was applied.
   */
  recordHashed(
    fileId: number,
    owner: string,
    expected: FileStat,
    observed: FileStat,
    hashes: FileHashes,
  ): boolean;
  /**
   * The file's stat changed since the scan: store the new stat, stay in scanned, release the lease;
   * claimable again from `notBefore` (watch mode waits until a file is stable), else at once.
   */
  recordStatChanged(fileId: number, owner: string, observed: FileStat, notBefore?: number): void;
  /** Records preupload answers for files claimed in `hashed`, in one transaction. */
  recordPlans(owner: string, plans: readonly PlanResult[]): void;
  /** planned → uploaded, and drops any LFS plan of the file. */
  recordUploaded(fileId: number, owner: string): void;
  /**
   * Content no longer matches the journal (integrity check failed or stat changed): back to
   * scanned, hashes/plan/LFS progress cleared. Works with or without a lease (owner null).
   */
  sendBackToHashing(fileId: number, owner: string | null, reason: ErrorInfo): void;
  /** Transient failure: attempts + 1, nextAttemptAt, lastError; state unchanged; lease released. */
  recordTransientFailure(
    fileIds: readonly number[],
    owner: string,
    error: ErrorInfo,
    nextAttemptAt: number,
  ): void;
  /** Permanent failure for these files: state failed with the error; lease released. */
  recordPermanentFailure(fileIds: readonly number[], owner: string | null, error: ErrorInfo): void;
  /** The file disappeared: state vanished; lease released. */
  recordVanished(fileId: number, owner: string | null): void;
  /** `hubpush retry`: failed files go back to scanned with attempts reset; waiting retries become due now. */
  retryFailedFiles(jobId: number): number;

  // LFS multipart progress
  saveLfsPlan(fileId: number, plan: LfsPlan): void;
  getLfsPlan(fileId: number): StoredLfsPlan | null;
  recordPartDone(fileId: number, partNumber: number, etag: string): void;
  deleteLfsPlan(fileId: number): void;

  // Commits
  /**
   * Records a batch as sent (before the POST): files → committing with commitId, and the given
   * pending remote deletions → committing in the same batch.
   */
  createCommit(
    jobId: number,
    fileIds: readonly number[],
    message: string,
    deletionIds?: readonly number[],
  ): CommitRecord;
  /** The Hub answered: files → committed, batch committed, job.commitsMade + 1 (one transaction). */
  recordCommitDone(commitId: number, commitOid: string): void;
  /** The Hub refused it (nothing applied): files back to uploaded. */
  recordCommitFailed(commitId: number, error: ErrorInfo): void;
  /** The answer was lost: batch unknown, files stay committing until reconciled. */
  markCommitUnknown(commitId: number, error: ErrorInfo): void;
  /**
   * Reconciliation: the given files are committed remotely and the given deletions done; the other
   * files go back to uploaded and the other deletions to pending.
   */
  reconcileCommit(
    commitId: number,
    committedFileIds: readonly number[],
    deletedIds?: readonly number[],
  ): void;
  /** created_at of the job's newest batch that was sent (whatever became of it), or null. */
  lastCommitAt(jobId: number): number | null;
  /** Queued remote deletions of the job, oldest first. */
  pendingDeletions(jobId: number, limit: number): RemoteDeletion[];
  /** Pending deletions found already absent on the Hub: deleted, without a commit. */
  markDeletionsDone(jobId: number, ids: readonly number[]): void;
  /** Deletions riding this batch (state committing). */
  getCommitDeletions(commitId: number): RemoteDeletion[];
  deletionCounts(jobId: number): { pending: number; committing: number; deleted: number };
  /** Batches of the job in sent or unknown state, oldest first. */
  listUnsettledCommits(jobId: number): CommitRecord[];
  listCommits(jobId: number): CommitRecord[];
  getCommitFiles(commitId: number): FileRecord[];
  /** updatedAt of the oldest file in this state, or null when none. */
  oldestInState(jobId: number, state: FileState): number | null;

  // Status
  /** Maintained incrementally: never scans the files table. */
  getJobCounts(jobId: number): JobCounts;

  // Events
  appendEvent(type: string, jobId: number | null, data?: Record<string, unknown>): EventRecord;
  readEvents(sinceId: number, limit: number): EventRecord[];
  lastEventId(): number;
  /** Deletes the oldest events, keeping the newest `keep`. */
  pruneEvents(keep: number): number;

  // Maintenance
  /**
   * Runs `fn` (journal calls only, synchronous) in one transaction: all of its writes land or
   * none. Used to record many stage results at once instead of one transaction each.
   */
  transaction<T>(fn: () => T): T;
  /** PRAGMA integrity_check: ["ok"] when healthy. */
  integrityCheck(): string[];
  close(): void;
}

/** Injected time, so schedules and leases are testable without sleeping. */
export type NowFn = () => number;
