/**
 * The engine's contract with its hosts (`hubpush upload` in the CLI, the daemon's scheduler):
 * jobs are added to the journal and driven through scan → hash → plan → upload → commit by worker
 * loops. Everything durable is in the journal; this object only holds loops and rates.
 */
import type { FileState, JobOptions, JobRecord, JobSpec, XetJobStats } from "../storage/journal.js";

export interface EngineSettings {
  /** Hashing threads (default: cores). */
  readonly hashWorkers: number;
  /** Concurrent LFS transfers across jobs (default 4). */
  readonly uploadWorkers: number;
  /** Upload bandwidth cap in bytes/s across all jobs; null = unlimited. Changeable while running. */
  readonly maxRateBytesPerSec: number | null;
}

export interface StageProgress {
  readonly files: number;
  readonly bytes: number;
}

/** Watch-mode state of a job, from the journal (what the daemon's folder watcher adds is its own). */
export interface WatchProgress {
  /** End of the last complete scan (epoch ms), null before the first. */
  readonly lastScanAt: number | null;
  /** Files seen but not yet committed (scanned … committing). */
  readonly pendingFiles: number;
  /** Remote deletions queued or in flight (--delete). */
  readonly pendingDeletions: number;
  /** Remote deletions done (--delete). */
  readonly deletedFiles: number;
  /** Earliest time the next scheduled commit may go (epoch ms); null before the first commit. */
  readonly nextCommitAt: number | null;
}

/** --delete GLOB: the remote listing and the deletions it queued. */
export interface PatternDeletionsProgress {
  readonly patterns: readonly string[];
  /** The remote tree was listed and matched (once per job, before its first commit). */
  readonly listed: boolean;
  /** Queued or riding a commit not yet settled. */
  readonly pending: number;
  readonly deleted: number;
}

/** A job's progress as `status` shows it; counts come from the journal, rates from this process. */
export interface JobProgress {
  readonly job: JobRecord;
  readonly byState: Readonly<Record<FileState, StageProgress>>;
  readonly total: StageProgress;
  /** Regular files in uploaded/committing: their bytes leave with the commit that carries them. */
  readonly awaitingCommit: StageProgress;
  /** Files with a retry pending after a transient error. */
  readonly waiting: number;
  /** Smoothed upload rate (bytes/s) over the last ~30 s, 0 when idle. */
  readonly uploadRate: number;
  /** Smoothed hashing rate (bytes/s). */
  readonly hashRate: number;
  /** Seconds to finish at the current rate; null when unknown. */
  readonly etaSeconds: number | null;
  /** Whether a worker is currently running for this job in this process. */
  readonly running: boolean;
  /** Watch jobs only, else null. */
  readonly watch: WatchProgress | null;
  /** --delete GLOB jobs only, else null: whether the remote was listed, deletions queued and done. */
  readonly patternDeletions?: PatternDeletionsProgress | null;
  /** The first failed files (at most FAILURES_SHOWN), with their errors: what `retry` would redo. */
  readonly failures: readonly FailedFile[];
  /** Xet figures (docs/xet.md); null or absent when the job sent nothing through Xet. */
  readonly xet?: XetJobStats | null;
}

export interface FailedFile {
  readonly path: string;
  readonly code: string;
  readonly message: string;
}

/** Failed files listed by `progress` (the count of all is in byState.failed). */
export const FAILURES_SHOWN = 20;

export interface Engine {
  /** Resumes every active job of the journal (after a crash, from where the journal says). */
  start(): void;
  /** Adds (or finds) a job and starts it; a scan of its folder runs first. */
  addJob(spec: JobSpec, options: JobOptions): JobRecord;
  pause(jobId: number): JobRecord;
  resume(jobId: number): JobRecord;
  /** Stops the job; what is committed stays committed. */
  cancel(jobId: number): JobRecord;
  /** Clears a blocked job (the token is read again) and sends failed files back through the stages. */
  retry(jobId: number): JobRecord;
  /** Rescans the job's folder with a walk that starts after this call (watch mode events, periodic rescans). */
  rescan(jobId: number): Promise<void>;
  progress(jobId: number): JobProgress;
  settings(): EngineSettings;
  updateSettings(patch: Partial<EngineSettings>): EngineSettings;
  /** Resolves when the job reaches done, blocked or cancelled. */
  whenSettled(jobId: number): Promise<JobRecord>;
  /**
   * Stops claiming work, lets in-flight requests finish for up to `graceMs`, then aborts the rest.
   * The journal is consistent afterwards (anything unfinished is redone on the next start).
   */
  stop(graceMs: number): Promise<void>;
}
