import { toHubpushError } from "../common/hubpush-error.js";
import type { ErrorInfo, FileRecord, JobRecord } from "../storage/journal.js";
import type { EngineServices, Mutex } from "./engine-services.js";
import { decideFailure } from "./failure-policy.js";
import type { HubClient, HubRepo } from "./hub/hub-client.js";
import { backoffMs } from "./hub/retry-policy.js";
import { localPathOf, repoPathOf } from "./job-paths.js";
import type { Logger } from "./logger.js";
import type { TokenBucket } from "./pacing/token-bucket.js";
import type { PipelineView } from "./pipeline-state.js";
import { RateMeter } from "./rate-meter.js";
import type {
  CommitStageDeps,
  HashStageDeps,
  PlanStageDeps,
  ScanDeps,
  StageName,
  UploadStageDeps,
} from "./stage-deps.js";
import { WakeSignal } from "./wake-signal.js";

export type { StageName } from "./stage-deps.js";

/**
 * Everything the stage loops of one job share while the job runs in this process. Stages do not
 * name it: each takes its narrow view (stage-deps.ts), which this class implements.
 */
export class JobContext implements ScanDeps, HashStageDeps, PlanStageDeps, UploadStageDeps, CommitStageDeps {
  readonly job: JobRecord;
  readonly hub: HubClient;
  readonly repo: HubRepo;
  /** One committer per (endpoint, repo, revision). */
  readonly repoKey: string;
  readonly services: EngineServices;
  readonly logger: Logger;
  readonly wake: Readonly<Record<StageName, WakeSignal>> = {
    hash: new WakeSignal(),
    plan: new WakeSignal(),
    upload: new WakeSignal(),
    commit: new WakeSignal(),
  };
  readonly uploadMeter: RateMeter;
  readonly hashMeter: RateMeter;
  /** Scan and commits in flight, as the runner tracks them (read-only here). */
  readonly pipeline: PipelineView;
  /** Halting stops claims and idle waits; in-flight requests go on (pause, graceful stop). */
  readonly #halt = new AbortController();
  /** Aborting cancels in-flight requests too (grace period over). */
  readonly #abort = new AbortController();
  readonly #onBlock: (error: ErrorInfo) => void;
  /** --create-pr: the PR's number once open (journaled first); its refs/pr/N is where commits go. */
  #pullRequest: number | null;

  constructor(options: {
    job: JobRecord;
    hub: HubClient;
    services: EngineServices;
    logger: Logger;
    onBlock: (error: ErrorInfo) => void;
    pipeline: PipelineView;
  }) {
    this.pipeline = options.pipeline;
    this.job = options.job;
    this.hub = options.hub;
    this.services = options.services;
    this.logger = options.logger;
    // A repo the Hub redirected earlier is called by its new name from the start.
    this.repo = { type: options.job.repoType, id: options.job.movedRepoId ?? options.job.repoId };
    this.repoKey = `${options.job.endpoint}|${options.job.repoType}|${options.job.repoId}|${options.job.revision}`;
    this.uploadMeter = new RateMeter(20_000, options.services.now);
    this.hashMeter = new RateMeter(20_000, options.services.now);
    this.#onBlock = options.onBlock;
    this.#pullRequest = options.job.pullRequest ?? null;
  }

  writeRevision(): string {
    return this.#pullRequest === null ? this.job.revision : `refs/pr/${this.#pullRequest}`;
  }

  get opensPullRequest(): boolean {
    return this.job.options.createPr === true && this.#pullRequest === null;
  }

  adoptPullRequest(num: number): void {
    this.#pullRequest = num;
  }

  get jobId(): number {
    return this.job.id;
  }

  get journal(): EngineServices["journal"] {
    return this.services.journal;
  }

  get tuning(): EngineServices["tuning"] {
    return this.services.tuning;
  }

  get hashPool(): EngineServices["hashPool"] {
    return this.services.hashPool;
  }

  now(): number {
    return this.services.now();
  }

  withUploadSlot<T>(fn: () => Promise<T>, bytes?: number): Promise<T> {
    return this.services.withUploadSlot(fn, bytes);
  }

  get uploadStreams(): EngineServices["uploadStreams"] {
    return this.services.uploadStreams;
  }

  throttleBytes(bytes: number, signal?: AbortSignal): Promise<void> {
    return this.services.throttleBytes(bytes, signal);
  }

  /** Commits to one (repo, branch) go one at a time, across jobs. */
  commitLock(): Mutex {
    return this.services.commitLock(this.repoKey);
  }

  /** The repo's commit budget (the Hub allows about 100 commits per hour). */
  commitBudget(): TokenBucket {
    return this.services.commitBudget(this.repoKey);
  }

  /** Aborts in-flight requests and transfers of this job. */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  /** Ends idle waits and loops of this job. */
  get haltSignal(): AbortSignal {
    return this.#halt.signal;
  }

  /** True once the job was halted: loops claim nothing more. */
  get halted(): boolean {
    return this.#halt.signal.aborted;
  }

  get aborted(): boolean {
    return this.#abort.signal.aborted;
  }

  /** Stops claiming new work; what is in flight finishes. */
  halt(): void {
    this.#halt.abort();
    for (const w of Object.values(this.wake)) w.notify();
  }

  /** Halts and cancels in-flight requests (their files are simply claimed again next time). */
  abort(): void {
    this.halt();
    this.#abort.abort();
  }

  /** Blocks the job (token, permission, repo): loops stop until `hubpush retry`. */
  block(error: ErrorInfo): void {
    this.#onBlock(error);
  }

  /** The lease id of a stage loop (journal leases), unique in this process. */
  leaseId(stage: StageName, loop = 0): string {
    return `${process.pid}:${this.jobId}:${stage}:${loop}`;
  }

  pathInRepo(localPath: string): string {
    return repoPathOf(this.job, localPath);
  }

  localPath(relPath: string): string {
    return localPathOf(this.job, relPath);
  }

  /** Runs one Hub API call under the endpoint's budget; a 429 holds everyone (token-bucket.ts). */
  async api<T>(call: () => Promise<T>): Promise<T> {
    const budget = this.services.apiBudget(this.job.endpoint);
    await budget.take(1, this.signal);
    try {
      return await call();
    } catch (err) {
      const error = toHubpushError(err);
      if (error.code === "ERR_HUB_RATE_LIMITED")
        budget.penalize(error.retryAfterMs, this.services.tuning.backoffBaseMs);
      throw err;
    }
  }

  backoffUntil(attempts: number, retryAfterMs?: number): number {
    const t = this.services.tuning;
    const delay = backoffMs(attempts, {
      baseMs: t.backoffBaseMs,
      capMs: t.backoffCapMs,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
    return this.services.now() + delay;
  }

  /** Records what a failure means for these files (failure-policy.ts), and blocks the job when it is job-level. */
  recordFailure(files: readonly FileRecord[], leaseId: string, err: unknown): void {
    const failure = decideFailure(err);
    const journal = this.journal;
    const ids = files.map((f) => f.id);
    if (failure.forgetLfsPlan) for (const f of files) journal.lfs.deletePlan(f.id);
    if (this.aborted && failure.action !== "fail-file") {
      // Aborted by a stop: nothing happened to the files; the next run picks them up again.
      for (const f of files) journal.files.releaseLease(f.id, leaseId);
      return;
    }
    journal.jobs.recordError(this.jobId, failure.info);
    switch (failure.action) {
      case "block-job":
      case "pause-job":
        for (const f of files) journal.files.releaseLease(f.id, leaseId);
        this.#onBlock(failure.info);
        return;
      // Only a commit that was sent is reconciled (commit-stage.ts); for a file it is a retry.
      case "reconcile-commit":
      case "retry": {
        const attempts = Math.max(...files.map((f) => f.attempts)) + 1;
        journal.stages.recordTransientFailure(
          ids,
          leaseId,
          failure.info,
          this.backoffUntil(attempts, failure.error.retryAfterMs),
        );
        this.logger.warn({ err: failure.info, files: ids.length, attempts }, "transient failure, will retry");
        return;
      }
      case "drop-file":
        for (const f of files) journal.stages.recordVanished(f.id, leaseId);
        return;
      case "rehash-file":
        for (const f of files) journal.stages.sendBackToHashing(f.id, leaseId, failure.info);
        this.wake.hash.notify();
        return;
      case "fail-file":
        journal.stages.recordPermanentFailure(ids, leaseId, failure.info);
        for (const f of files.slice(0, 100)) {
          journal.events.append("file.failed", this.jobId, {
            path: f.path,
            code: failure.info.code,
            message: failure.info.message,
          });
        }
        this.logger.warn({ err: failure.info, files: ids.length }, "files failed permanently");
        return;
    }
  }
}
