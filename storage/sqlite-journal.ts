import { resolve } from "node:path";
import type Database from "better-sqlite3";
import { ClaimStore } from "./claim-store.js";
import { classifySqliteError } from "./classify-sqlite-error.js";
import { CommitStore } from "./commit-store.js";
import { DeletionStore } from "./deletion-store.js";
import { EventStore } from "./event-store.js";
import { guardMethods } from "./guard-methods.js";
import { JobStore } from "./job-store.js";
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
  Journal,
  LfsPlan,
  NowFn,
  PlanResult,
  RemoteDeletion,
  ScanBatchResult,
  ScannedFile,
  StoredLfsPlan,
} from "./journal.js";
import { LfsStore } from "./lfs-store.js";
import { type OpenDatabaseOptions, openDatabase } from "./open-database.js";
import { ScanStore } from "./scan-store.js";
import { StageStore } from "./stage-store.js";
import { ThroughputStore } from "./throughput-store.js";

export interface OpenJournalOptions extends OpenDatabaseOptions {
  /** The clock for every *_at column, leases and retry times. Default Date.now. */
  readonly now?: NowFn;
}

/**
 * The Journal on one better-sqlite3 connection. Each area of the contract lives in its own store
 * (prepared statements built once, in the constructor); this class only routes. Every method is
 * wrapped (guardMethods below) so SQLite errors leave it as HubpushErrors.
 */
export class SqliteJournal implements Journal {
  readonly path: string;
  readonly #db: Database.Database;
  readonly #jobs: JobStore;
  readonly #scan: ScanStore;
  readonly #claims: ClaimStore;
  readonly #stages: StageStore;
  readonly #lfs: LfsStore;
  readonly #commits: CommitStore;
  readonly #deletions: DeletionStore;
  readonly #events: EventStore;
  readonly throughput: ThroughputStore;

  constructor(db: Database.Database, path: string, now: NowFn = Date.now) {
    this.path = path;
    this.#db = db;
    const ctx = { db, now, path };
    this.#jobs = new JobStore(ctx);
    this.#scan = new ScanStore(ctx);
    this.#claims = new ClaimStore(ctx);
    this.#stages = new StageStore(ctx);
    this.#lfs = new LfsStore(ctx);
    this.#commits = new CommitStore(ctx);
    this.#deletions = new DeletionStore(ctx);
    this.#events = new EventStore(ctx);
    this.throughput = new ThroughputStore(ctx);
  }

  upsertJob(spec: JobSpec, options: JobOptions): { job: JobRecord; created: boolean } {
    return this.#jobs.upsertJob(spec, options);
  }
  findJob(spec: JobSpec): JobRecord | null {
    return this.#jobs.findJob(spec);
  }
  getJob(id: number): JobRecord | null {
    return this.#jobs.getJob(id);
  }
  listJobs(): JobRecord[] {
    return this.#jobs.listJobs();
  }
  setJobState(id: number, state: JobState, blocked?: ErrorInfo | null): JobRecord {
    return this.#jobs.setJobState(id, state, blocked);
  }
  recordJobError(id: number, error: ErrorInfo): void {
    this.#jobs.recordJobError(id, error);
  }
  recordRepoMoved(id: number, repoId: string): void {
    this.#jobs.recordRepoMoved(id, repoId);
  }

  beginScan(jobId: number): number {
    return this.#scan.beginScan(jobId);
  }
  upsertScannedFiles(jobId: number, generation: number, files: readonly ScannedFile[]): ScanBatchResult {
    return this.#scan.upsertScannedFiles(jobId, generation, files);
  }
  finishScan(
    jobId: number,
    generation: number,
    options?: { mirrorDeletions?: boolean },
  ): { vanished: number; deletionsQueued: number } {
    return this.#scan.finishScan(jobId, generation, options);
  }

  claimFiles(options: ClaimOptions): FileRecord[] {
    return this.#claims.claimFiles(options);
  }
  releaseLeases(owner?: string): number {
    return this.#claims.releaseLeases(owner);
  }
  releaseLease(fileId: number, owner: string): void {
    this.#claims.releaseLease(fileId, owner);
  }
  getFile(id: number): FileRecord | null {
    return this.#claims.getFile(id);
  }
  findFile(jobId: number, path: string): FileRecord | null {
    return this.#claims.findFile(jobId, path);
  }
  listFiles(jobId: number, options?: { state?: FileState; afterId?: number; limit?: number }): FileRecord[] {
    return this.#claims.listFiles(jobId, options);
  }
  oldestInState(jobId: number, state: FileState): number | null {
    return this.#claims.oldestInState(jobId, state);
  }

  recordHashed(
    fileId: number,
    owner: string,
    expected: FileStat,
    observed: FileStat,
    hashes: FileHashes,
  ): boolean {
    return this.#stages.recordHashed(fileId, owner, expected, observed, hashes);
  }
  recordStatChanged(fileId: number, owner: string, observed: FileStat, notBefore?: number): void {
    this.#stages.recordStatChanged(fileId, owner, observed, notBefore);
  }
  recordPlans(owner: string, plans: readonly PlanResult[]): void {
    this.#stages.recordPlans(owner, plans);
  }
  recordUploaded(fileId: number, owner: string): void {
    this.#stages.recordUploaded(fileId, owner);
  }
  sendBackToHashing(fileId: number, owner: string | null, reason: ErrorInfo): void {
    this.#stages.sendBackToHashing(fileId, owner, reason);
  }
  recordTransientFailure(
    fileIds: readonly number[],
    owner: string,
    error: ErrorInfo,
    nextAttemptAt: number,
  ): void {
    this.#stages.recordTransientFailure(fileIds, owner, error, nextAttemptAt);
  }
  recordPermanentFailure(fileIds: readonly number[], owner: string | null, error: ErrorInfo): void {
    this.#stages.recordPermanentFailure(fileIds, owner, error);
  }
  recordVanished(fileId: number, owner: string | null): void {
    this.#stages.recordVanished(fileId, owner);
  }
  retryFailedFiles(jobId: number): number {
    return this.#stages.retryFailedFiles(jobId);
  }

  saveLfsPlan(fileId: number, plan: LfsPlan): void {
    this.#lfs.saveLfsPlan(fileId, plan);
  }
  getLfsPlan(fileId: number): StoredLfsPlan | null {
    return this.#lfs.getLfsPlan(fileId);
  }
  recordPartDone(fileId: number, partNumber: number, etag: string): void {
    this.#lfs.recordPartDone(fileId, partNumber, etag);
  }
  deleteLfsPlan(fileId: number): void {
    this.#lfs.deleteLfsPlan(fileId);
  }

  createCommit(
    jobId: number,
    fileIds: readonly number[],
    message: string,
    deletionIds?: readonly number[],
  ): CommitRecord {
    return this.#commits.createCommit(jobId, fileIds, message, deletionIds);
  }
  recordCommitDone(commitId: number, commitOid: string): void {
    this.#commits.recordCommitDone(commitId, commitOid);
  }
  recordCommitFailed(commitId: number, error: ErrorInfo): void {
    this.#commits.recordCommitFailed(commitId, error);
  }
  markCommitUnknown(commitId: number, error: ErrorInfo): void {
    this.#commits.markCommitUnknown(commitId, error);
  }
  reconcileCommit(
    commitId: number,
    committedFileIds: readonly number[],
    deletedIds?: readonly number[],
  ): void {
    this.#commits.reconcileCommit(commitId, committedFileIds, deletedIds);
  }
  lastCommitAt(jobId: number): number | null {
    return this.#commits.lastCommitAt(jobId);
  }
  pendingDeletions(jobId: number, limit: number): RemoteDeletion[] {
    return this.#deletions.pendingDeletions(jobId, limit);
  }
  markDeletionsDone(jobId: number, ids: readonly number[]): void {
    this.#deletions.markDeletionsDone(jobId, ids);
  }
  getCommitDeletions(commitId: number): RemoteDeletion[] {
    return this.#deletions.getCommitDeletions(commitId);
  }
  deletionCounts(jobId: number): { pending: number; committing: number; deleted: number } {
    return this.#deletions.deletionCounts(jobId);
  }
  listUnsettledCommits(jobId: number): CommitRecord[] {
    return this.#commits.listUnsettledCommits(jobId);
  }
  listCommits(jobId: number): CommitRecord[] {
    return this.#commits.listCommits(jobId);
  }
  getCommitFiles(commitId: number): FileRecord[] {
    return this.#commits.getCommitFiles(commitId);
  }

  getJobCounts(jobId: number): JobCounts {
    return this.#jobs.getJobCounts(jobId);
  }

  appendEvent(type: string, jobId: number | null, data?: Record<string, unknown>): EventRecord {
    return this.#events.appendEvent(type, jobId, data);
  }
  readEvents(sinceId: number, limit: number): EventRecord[] {
    return this.#events.readEvents(sinceId, limit);
  }
  lastEventId(): number {
    return this.#events.lastEventId();
  }
  pruneEvents(keep: number): number {
    return this.#events.pruneEvents(keep);
  }

  /**
   * IMMEDIATE: the write lock is taken (waiting up to busy_timeout) before `fn` reads anything, so
   * the transaction cannot fail half-way with a stale snapshot. The journal's own transactions
   * inside `fn` become savepoints.
   */
  transaction<T>(fn: () => T): T {
    return this.#db.transaction(fn).immediate();
  }

  integrityCheck(): string[] {
    const rows = this.#db.pragma("integrity_check") as { integrity_check: string }[];
    return rows.map((row) => row.integrity_check);
  }

  /** Closes the connection; the last connection to close checkpoints and removes the WAL. Idempotent. */
  close(): void {
    if (this.#db.open) this.#db.close();
  }
}

guardMethods(SqliteJournal, (journal, err) => classifySqliteError(err, journal.path));

/**
 * Opens the journal at `path` (created with its parent folders, mode 0700, if missing), migrated
 * to the latest schema. Throws HubpushError ERR_JOURNAL_* when it cannot.
 */
export function openJournal(path: string, options: OpenJournalOptions = {}): SqliteJournal {
  const absolute = resolve(path);
  return new SqliteJournal(openDatabase(absolute, options), absolute, options.now);
}
