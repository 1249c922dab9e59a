/**
 * The journal's contract, one interface per area: every file's way through the stages, the jobs,
 * LFS multipart progress, commit batches, remote deletions and the event log. Each area is
 * implemented directly by one store (storage/*-store.ts); `Journal` is their composition
 * (`journal.commits.create(…)`), so an operation is declared here once and written once. A stage
 * depends only on the areas it uses. A second backend implements the same areas.
 *
 * Invariant: the journal never claims more progress than happened. A state is written only after
 * the effect it records (a hash computed, a Hub answer received, a commitOid returned).
 */

import type { EventPayload, EventType } from "./event-catalogue.js";
import type {
  ClaimOptions,
  CommitRecord,
  ErrorInfo,
  EventRecord,
  FileHashes,
  FileRecord,
  FileStat,
  FileState,
  HashedResult,
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
  StateCount,
  StoredLfsPlan,
} from "./journal-records.js";

import type { ThroughputLog } from "./throughput-log.js";
import type {
  XetChunkRef,
  XetFileRecord,
  XetFileUpdate,
  XetJobStats,
  XetJobStatsDelta,
  XetXorbRecord,
} from "./xet-records.js";

export * from "./event-catalogue.js";
export * from "./journal-records.js";
export type { ThroughputLog, ThroughputSample } from "./throughput-log.js";
export type * from "./xet-records.js";

/** Jobs: identity, options, state, errors and the incrementally maintained counters. */
export interface JobsJournal {
  /** Finds the job with this spec or creates it (state active). Options of an existing job are replaced. */
  upsert(spec: JobSpec, options: JobOptions): { job: JobRecord; created: boolean };
  find(spec: JobSpec): JobRecord | null;
  get(id: number): JobRecord | null;
  list(): JobRecord[];
  /** Sets the state; `blocked` is stored when state is blocked and cleared otherwise. */
  setState(id: number, state: JobState, blocked?: ErrorInfo | null): JobRecord;
  recordError(id: number, error: ErrorInfo): void;
  /** The Hub redirected the job's repo to `repoId` (renamed or moved): recorded for later calls and status. */
  recordRepoMoved(id: number, repoId: string): void;
  /** --create-pr: the pull request the job opened (its commits go to refs/pr/N from now on). */
  recordPullRequest(id: number, num: number): void;
  /** --create-pr: the highest discussion number seen before sending a create_pr commit (reconciliation). */
  recordPullRequestFloor(id: number, floor: number): void;
  /** Maintained incrementally: never scans the files table. */
  counts(jobId: number): JobCounts;
  /**
   * Regular (inline) files in `uploaded` or `committing`: their bytes leave in the commit carrying
   * them. Reads only the rows in those two states (an index range on job and state), never the
   * whole files table.
   */
  awaitingCommit(jobId: number): StateCount;
}

/** Scan generations: what the folder holds now. */
export interface ScanJournal {
  /** Starts a scan generation for the job; returns its number. */
  begin(jobId: number): number;
  /**
   * Upserts one batch (one transaction): new paths → scanned; a stat that differs from the recorded
   * one → scanned (hashes, plan and LFS progress cleared), unless the file is committing; unchanged →
   * left alone. Every path in the batch is marked seen in this generation.
   */
  upsertFiles(jobId: number, generation: number, files: readonly ScannedFile[]): ScanBatchResult;
  /**
   * Marks files not seen in this generation and not yet committed as vanished; returns their count.
   * With mirrorDeletions (--delete), committed and skipped files not seen vanish too, and every
   * vanished path is queued as a remote deletion (the committer drops those the Hub does not hold).
   */
  finish(
    jobId: number,
    generation: number,
    options?: { mirrorDeletions?: boolean },
  ): { vanished: number; deletionsQueued: number };
}

/** Files: leases (claims) and reads. */
export interface FilesJournal {
  /**
   * Atomically leases up to `limit` files of the job in `state` whose nextAttemptAt has passed and
   * that no live lease holds, ordered by id. Two claimers never receive the same file.
   */
  claim(options: ClaimOptions): FileRecord[];
  /** Drops every lease (at start-up, when this process is the only writer) or those of one lease id. */
  releaseLeases(leaseId?: string): number;
  releaseLease(fileId: number, leaseId: string): void;
  get(id: number): FileRecord | null;
  find(jobId: number, path: string): FileRecord | null;
  /** Files of a job in a state, ordered by id, for listing and tests. */
  list(jobId: number, options?: { state?: FileState; afterId?: number; limit?: number }): FileRecord[];
  /** updatedAt of the oldest file in this state, or null when none. */
  oldestInState(jobId: number, state: FileState): number | null;
}

/** Stage results: what hashing, planning and uploading found, and failures. */
export interface StagesJournal {
  /**
   * Records hashes for a file claimed in `scanned`. Applied only if the lease is still held and the
   * recorded stat still equals `expected` (a rescan in between wins); the stat is set to `observed`.
   * Increments hashCount and the job's bytesHashed. Returns whether it was applied.
   */
  recordHashed(
    fileId: number,
    leaseId: string,
    expected: FileStat,
    observed: FileStat,
    hashes: FileHashes,
  ): boolean;
  /**
   * recordHashed for many files of one lease, in one transaction and one multi-row UPDATE (issue 16
   * item 1: the per-file statement, savepoint and closure were most of the hash stage's journal
   * cost). Same guards per file. Returns the ids of the files it was applied to.
   */
  recordHashedMany(leaseId: string, results: readonly HashedResult[]): number[];
  /**
   * The file's stat changed since the scan: store the new stat, stay in scanned, release the lease;
   * claimable again from `notBefore` (watch mode waits until a file is stable), else at once.
   */
  recordStatChanged(fileId: number, leaseId: string, observed: FileStat, notBefore?: number): void;
  /** Records preupload answers for files claimed in `hashed`, in one transaction. */
  recordPlans(leaseId: string, plans: readonly PlanResult[]): void;
  /** planned → uploaded, and drops any LFS plan of the file. */
  recordUploaded(fileId: number, leaseId: string): void;
  /**
   * Content no longer matches the journal (integrity check failed or stat changed): back to
   * scanned, hashes/plan/LFS progress cleared. Works with or without a lease (leaseId null).
   */
  sendBackToHashing(fileId: number, leaseId: string | null, reason: ErrorInfo): void;
  /** Transient failure: attempts + 1, nextAttemptAt, lastError; state unchanged; lease released. */
  recordTransientFailure(
    fileIds: readonly number[],
    leaseId: string,
    error: ErrorInfo,
    nextAttemptAt: number,
  ): void;
  /** Permanent failure for these files: state failed with the error; lease released. */
  recordPermanentFailure(fileIds: readonly number[], leaseId: string | null, error: ErrorInfo): void;
  /** The file disappeared: state vanished; lease released. */
  recordVanished(fileId: number, leaseId: string | null): void;
  /** `hubpush retry`: failed files go back to scanned with attempts reset; waiting retries become due now. */
  retryFailed(jobId: number): number;
}

/** LFS multipart progress, so a restart resumes at the first part not done. */
export interface LfsJournal {
  savePlan(fileId: number, plan: LfsPlan): void;
  getPlan(fileId: number): StoredLfsPlan | null;
  recordPartDone(fileId: number, partNumber: number, etag: string): void;
  deletePlan(fileId: number): void;
}

/** Commit batches and their crash-window states (sent → committed | failed | unknown). */
export interface CommitsJournal {
  /**
   * Records a batch as sent (before the POST): files → committing with commitId, and the given
   * pending remote deletions → committing in the same batch.
   */
  create(
    jobId: number,
    fileIds: readonly number[],
    message: string,
    deletionIds?: readonly number[],
  ): CommitRecord;
  /** The Hub answered: files → committed, batch committed, job.commitsMade + 1 (one transaction). */
  recordDone(commitId: number, commitOid: string): void;
  /** The Hub refused it (nothing applied): files back to uploaded. */
  recordFailed(commitId: number, error: ErrorInfo): void;
  /** The answer was lost: batch unknown, files stay committing until reconciled. */
  markUnknown(commitId: number, error: ErrorInfo): void;
  /**
   * Reconciliation: the given files are committed remotely and the given deletions done; the other
   * files go back to uploaded and the other deletions to pending.
   */
  reconcile(commitId: number, committedFileIds: readonly number[], deletedIds?: readonly number[]): void;
  /** created_at of the job's newest batch that was sent (whatever became of it), or null. */
  lastSentAt(jobId: number): number | null;
  /** Batches of the job in sent or unknown state, oldest first. */
  listUnsettled(jobId: number): CommitRecord[];
  list(jobId: number): CommitRecord[];
  files(commitId: number): FileRecord[];
}

/** Remote deletions queued by --delete. */
export interface DeletionsJournal {
  /** Queued remote deletions of the job, oldest first. */
  pending(jobId: number, limit: number): RemoteDeletion[];
  /** Pending deletions found already absent on the Hub: deleted, without a commit. */
  markDone(jobId: number, ids: readonly number[]): void;
  /** Deletions riding this batch (state committing). */
  forCommit(commitId: number): RemoteDeletion[];
  counts(jobId: number): { pending: number; committing: number; deleted: number };
  /**
   * --delete GLOB: queues the matched remote paths (relative to the path in repo, as files.path)
   * as pending deletions, except paths the job holds as files (it uploads them), and records the
   * job's listing as done — one transaction, so a crash lists again and a listed job never does.
   * Returns how many were queued.
   */
  queueListed(jobId: number, paths: readonly string[]): number;
}

/** The append-only event log read by the control API. Types and payloads: event-catalogue.ts. */
export interface EventsJournal {
  append<T extends EventType>(type: T, jobId: number | null, data: EventPayload<T>): EventRecord;
  read(sinceId: number, limit: number): EventRecord[];
  lastId(): number;
  /** Deletes the oldest events, keeping the newest `keep`. */
  prune(keep: number): number;
}

/**
 * Xet uploads (docs/xet.md): xorbs per endpoint (built → uploaded), the persistent chunk index
 * (only uploaded xorbs), each file version's Xet state, and per job figures.
 */
export interface XetJournal {
  getXorb(endpoint: string, hash: string): XetXorbRecord | null;
  /** Before the POST: a xorb already known keeps its row (and state). */
  recordXorbBuilt(
    endpoint: string,
    xorb: { hash: string; chunks: readonly XetChunkRef[]; unpackedBytes: number; serializedBytes: number },
  ): void;
  /** The CAS answered 200: state uploaded, its chunks enter the index, the job's figures grow. */
  recordXorbUploaded(endpoint: string, hash: string, jobId: number, bytesSent: number): void;
  lookupChunk(endpoint: string, chunkHash: Uint8Array): { xorb: string; index: number } | null;
  /** The CAS does not hold it after all: the xorb and its index rows go. */
  forgetXorb(endpoint: string, hash: string): void;
  getFile(fileId: number, sha256: string): XetFileRecord | null;
  /** Upserts a file version's state; bytesSent adds up, the rest replaces. */
  recordFile(fileId: number, sha256: string, update: XetFileUpdate): void;
  addJobStats(jobId: number, delta: XetJobStatsDelta): void;
  /** Why the job (or some files) went through LFS instead of Xet. */
  setJobNote(jobId: number, note: string): void;
  jobStats(jobId: number): XetJobStats | null;
}

export interface Journal {
  /** Absolute path of the journal file. */
  readonly path: string;
  readonly jobs: JobsJournal;
  readonly scan: ScanJournal;
  readonly files: FilesJournal;
  readonly stages: StagesJournal;
  readonly lfs: LfsJournal;
  readonly commits: CommitsJournal;
  readonly deletions: DeletionsJournal;
  readonly events: EventsJournal;

  /** Throughput samples for the status page's chart (storage/throughput-store.ts). */
  readonly throughput: ThroughputLog;
  /** Xet uploads (storage/xet-store.ts). */
  readonly xet: XetJournal;

  /**
   * Runs `fn` (journal calls only, synchronous) in one transaction: all of its writes land or
   * none. Used to record many stage results at once instead of one transaction each.
   */
  transaction<T>(fn: () => T): T;
  /** PRAGMA integrity_check: ["ok"] when healthy. */
  integrityCheck(): string[];
  close(): void;
}
