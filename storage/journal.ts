/**
 * The journal's contract: every file's way through the stages, the jobs, LFS multipart progress,
 * commit batches and the event log. SqliteJournal implements it; no SQL lives outside storage/.
 *
 * Invariant: the journal never claims more progress than happened. A state is written only after
 * the effect it records (a hash computed, a Hub answer received, a commitOid returned).
 */

import type {
  ClaimOptions,
  CommitRecord,
  ErrorInfo,
  EventRecord,
  FileHashes,
  FileRecord,
  FileStat,
  FileState,
  JobCounts,
  JobOptions,
  JobRecord,
  JobSpec,
  JobState,
  LfsPlan,
  PlanResult,
  RemoteDeletion,
  ScanBatchResult,
  ScannedFile,
  StoredLfsPlan,
} from "./journal-records.js";

import type { ThroughputLog } from "./throughput-log.js";

export * from "./journal-records.js";
export type { ThroughputLog, ThroughputSample } from "./throughput-log.js";

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
  /** The Hub redirected the job's repo to `repoId` (renamed or moved): recorded for later calls and status. */
  recordRepoMoved(id: number, repoId: string): void;

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

  /** Throughput samples for the status page's chart (storage/throughput-store.ts). */
  readonly throughput: ThroughputLog;

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
