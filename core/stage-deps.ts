import type { ErrorInfo, FileRecord, JobRecord, Journal } from "../storage/journal.js";
import type { EngineTuning } from "./engine-tuning.js";
import type { HashPool } from "./hash/hash-pool.js";
import type { HubClient, HubRepo } from "./hub/hub-client.js";
import type { Logger } from "./logger.js";
import type { TokenBucket } from "./pacing/token-bucket.js";
import type { UploadStreams } from "./pacing/upload-streams.js";
import type { PipelineView } from "./pipeline-state.js";
import type { RateMeter } from "./rate-meter.js";
import type { WakeSignal } from "./wake-signal.js";

export type StageName = "hash" | "plan" | "upload" | "commit";

/**
 * What each stage may use, and no more. JobContext (job-context.ts) implements all of them; a stage
 * names the narrow one, so what it touches is visible in its signature: the journal areas, the Hub
 * calls, the clock, the tuning and the read-only job description.
 */
export interface StageBase {
  /** The job as it was when the run started (read-only). */
  readonly job: JobRecord;
  readonly jobId: number;
  readonly tuning: EngineTuning;
  now(): number;
  readonly logger: Logger;
  /** The job was halted (pause, cancel, stop): claim nothing more. */
  readonly halted: boolean;
  /** In-flight requests were cancelled too (grace period over). */
  readonly aborted: boolean;
  /** Ends idle waits and loops. */
  readonly haltSignal: AbortSignal;
  /** Cancels in-flight requests and transfers. */
  readonly signal: AbortSignal;
  readonly wake: Readonly<Record<StageName, WakeSignal>>;
  /** Scan and commits in flight, as the runner tracks them. */
  readonly pipeline: PipelineView;
  /** The lease id of a stage loop, unique in this process. */
  leaseId(stage: StageName, loop?: number): string;
  /** A journaled file's path in the repo (core/job-paths.ts). */
  pathInRepo(localPath: string): string;
  /** A journaled file's absolute path on disk: the job's folder joined with it, or a file job's file. */
  localPath(relPath: string): string;
  /** The revision the job writes to now: its pull request's `refs/pr/N` once open, else its branch. */
  writeRevision(): string;
  /** A --create-pr job whose pull request is not open yet: its next commit opens it (create_pr=1). */
  readonly opensPullRequest: boolean;
  /** Records what a failure means for these files (failure-policy.ts). */
  recordFailure(files: readonly FileRecord[], leaseId: string, err: unknown): void;
  backoffUntil(attempts: number, retryAfterMs?: number): number;
  /** Blocks the job until `hubpush retry`. */
  block(error: ErrorInfo): void;
}

/** The Hub calls named by K, each made under the endpoint's API budget. */
export interface HubAccess<K extends keyof HubClient> {
  readonly hub: Pick<HubClient, K>;
  readonly repo: HubRepo;
  api<T>(call: () => Promise<T>): Promise<T>;
}

export interface ScanDeps extends StageBase {
  readonly journal: Pick<Journal, "jobs" | "scan" | "events">;
}

export interface HashStageDeps extends StageBase {
  readonly journal: Pick<Journal, "jobs" | "files" | "stages" | "transaction">;
  readonly hashPool: HashPool;
  readonly hashMeter: RateMeter;
}

export interface PlanStageDeps extends StageBase, HubAccess<"preupload"> {
  readonly journal: Pick<Journal, "jobs" | "files" | "stages">;
  /** Whether the upload sends nothing (a big partial batch is then planned at once). */
  readonly uploadStreams: Pick<UploadStreams, "idle">;
}

export interface UploadStageDeps
  extends StageBase,
    HubAccess<"lfsBatch" | "putUpload" | "completeMultipart" | "xet"> {
  readonly journal: Pick<Journal, "files" | "stages" | "lfs" | "xet" | "transaction" | "events" | "path">;
  readonly uploadMeter: RateMeter;
  /** A file slot; `bytes` (the file's size) puts bigger files first among those waiting. */
  withUploadSlot<T>(fn: () => Promise<T>, bytes?: number): Promise<T>;
  /** Stream slots and the part-buffer budget, shared by the engine's uploads. */
  readonly uploadStreams: Pick<
    UploadStreams,
    "withStream" | "streamFree" | "whenRoom" | "wantMore" | "takeBuffer" | "giveBack" | "filesWaiting"
  >;
  throttleBytes(bytes: number, signal?: AbortSignal): Promise<void>;
}

export interface CommitStageDeps
  extends StageBase,
    HubAccess<"commit" | "pathsInfo" | "listTree" | "listDiscussions"> {
  readonly journal: Pick<
    Journal,
    "jobs" | "files" | "stages" | "commits" | "deletions" | "events" | "transaction"
  >;
  /** The pull request the job opened (or found, reconciling a lost answer), already journaled. */
  adoptPullRequest(num: number): void;
  /** Its `kept` bytes of small files spare the commit a second read (core/hash/kept-content.ts). */
  readonly hashPool: Pick<HashPool, "kept">;
  readonly uploadMeter: RateMeter;
  /** One committer per (endpoint, repo, revision). */
  readonly repoKey: string;
  commitLock(): { run<T>(fn: () => Promise<T>): Promise<T> };
  commitBudget(): TokenBucket;
}
