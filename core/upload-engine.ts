import { HubpushError } from "../common/hubpush-error.js";
import {
  type EventPayload,
  type FileState,
  type JobOptions,
  type JobRecord,
  type JobSpec,
  PENDING_FILE_STATES,
} from "../storage/journal.js";
import {
  type Engine,
  type EngineSettings,
  FAILURES_SHOWN,
  type JobProgress,
  type PatternDeletionsProgress,
  type StageProgress,
  type WatchProgress,
} from "./engine.js";
import type { EngineServices } from "./engine-services.js";
import type { HubClient } from "./hub/hub-client.js";
import { JobRunner, type RunnerOutcome } from "./job-runner.js";
import { everyMsOf, nextScheduledCommitAt } from "./stages/commit-schedule.js";

interface Running {
  readonly runner: JobRunner;
  readonly finished: Promise<RunnerOutcome>;
}

/** The engine: one JobRunner per active job, all sharing the services (hash pool, slots, budgets). */
export class UploadEngine implements Engine {
  readonly #services: EngineServices;
  readonly #hubFor: (job: JobRecord) => HubClient;
  readonly #excludeAbsolute: readonly string[];
  readonly #running = new Map<number, Running>();
  readonly #settled = new Map<number, Array<(job: JobRecord) => void>>();
  #stopping = false;

  constructor(
    services: EngineServices,
    hubFor: (job: JobRecord) => HubClient,
    excludeAbsolute: readonly string[],
  ) {
    this.#services = services;
    this.#hubFor = hubFor;
    this.#excludeAbsolute = excludeAbsolute;
  }

  get #journal(): EngineServices["journal"] {
    return this.#services.journal;
  }

  start(): void {
    // This process is the only writer now (the daemon lock / upload lock): old leases are dead.
    this.#journal.files.releaseLeases();
    for (const job of this.#journal.jobs.list()) if (job.state === "active") this.#launch(job);
  }

  addJob(spec: JobSpec, options: JobOptions): JobRecord {
    const { job, created } = this.#journal.jobs.upsert(spec, options);
    if (created) this.#journal.events.append("job.added", job.id, { folder: spec.folder, repo: spec.repoId });
    // Adding again reactivates a finished or blocked job: the rescan finds what changed.
    const active = job.state === "active" ? job : this.#setState(job.id, "active", "job.resumed", {});
    this.#launch(active);
    return active;
  }

  pause(jobId: number): JobRecord {
    const job = this.#setState(this.#get(jobId).id, "paused", "job.paused", {});
    this.#running.get(jobId)?.runner.halt();
    return job;
  }

  resume(jobId: number): JobRecord {
    const current = this.#get(jobId);
    if (current.state === "cancelled") {
      throw new HubpushError(
        "ERR_JOB_STATE",
        `job ${jobId} was cancelled; add the folder again to start a new run`,
      );
    }
    const job = this.#setState(jobId, "active", "job.resumed", {});
    this.#launch(job);
    return job;
  }

  cancel(jobId: number): JobRecord {
    this.#get(jobId);
    const job = this.#setState(jobId, "cancelled", "job.cancelled", {});
    this.#running.get(jobId)?.runner.halt();
    return job;
  }

  retry(jobId: number): JobRecord {
    this.#get(jobId);
    const retried = this.#journal.stages.retryFailed(jobId);
    const job = this.#setState(jobId, "active", "job.retried", { files: retried });
    this.#launch(job);
    return job;
  }

  async rescan(jobId: number): Promise<void> {
    await this.#running.get(jobId)?.runner.rescan();
  }

  progress(jobId: number): JobProgress {
    const job = this.#get(jobId);
    const counts = this.#journal.jobs.counts(jobId);
    const rates = this.#running.get(jobId)?.runner.rates();
    const uploadRate = rates?.upload ?? 0;
    const byState = counts.byState as Readonly<Record<FileState, StageProgress>>;
    const remaining = PENDING_FILE_STATES.reduce((sum, s) => sum + byState[s].bytes, 0);
    return {
      job,
      byState,
      total: counts.total,
      awaitingCommit: this.#journal.jobs.awaitingCommit(jobId),
      waiting: counts.waiting,
      uploadRate,
      hashRate: rates?.hash ?? 0,
      etaSeconds: remaining === 0 ? 0 : uploadRate > 0 ? Math.round(remaining / uploadRate) : null,
      running: rates !== undefined,
      watch: job.options.watch ? this.#watchProgress(job, pendingFiles(byState)) : null,
      patternDeletions: this.#patternDeletions(job),
      failures:
        byState.failed.files === 0
          ? []
          : this.#journal.files.list(jobId, { state: "failed", limit: FAILURES_SHOWN }).map((f) => ({
              path: f.path,
              code: f.lastError?.code ?? "ERR_INTERNAL",
              message: f.lastError?.message ?? "failed",
            })),
      xet: this.#journal.xet.jobStats(jobId),
    };
  }

  #patternDeletions(job: JobRecord): PatternDeletionsProgress | null {
    const patterns = job.options.deletePatterns ?? [];
    if (patterns.length === 0) return null;
    const deletions = this.#journal.deletions.counts(job.id);
    return {
      patterns,
      listed: (job.deletionsListedAt ?? null) !== null,
      pending: deletions.pending + deletions.committing,
      deleted: deletions.deleted,
    };
  }

  #watchProgress(job: JobRecord, pending: number): WatchProgress {
    const deletions = this.#journal.deletions.counts(job.id);
    return {
      lastScanAt: job.lastScanAt,
      pendingFiles: pending,
      pendingDeletions: deletions.pending + deletions.committing,
      deletedFiles: deletions.deleted,
      nextCommitAt: nextScheduledCommitAt(
        job.options.watch,
        everyMsOf(job.options),
        this.#journal.commits.lastSentAt(job.id),
      ),
    };
  }

  settings(): EngineSettings {
    return this.#services.settings;
  }

  updateSettings(patch: Partial<EngineSettings>): EngineSettings {
    return this.#services.updateSettings(patch);
  }

  whenSettled(jobId: number): Promise<JobRecord> {
    const job = this.#get(jobId);
    if (job.state === "done" || job.state === "blocked" || job.state === "cancelled")
      return Promise.resolve(job);
    return new Promise((resolve) => {
      const list = this.#settled.get(jobId) ?? [];
      list.push(resolve);
      this.#settled.set(jobId, list);
    });
  }

  async stop(graceMs: number): Promise<void> {
    this.#stopping = true;
    const all = [...this.#running.values()];
    for (const r of all) r.runner.halt();
    const drained = Promise.all(all.map((r) => r.finished));
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), graceMs);
    });
    if ((await Promise.race([drained, grace])) === "timeout") for (const r of all) r.runner.abort();
    clearTimeout(timer);
    await drained;
    await this.#services.hashPool.close();
  }

  #get(jobId: number): JobRecord {
    const job = this.#journal.jobs.get(jobId);
    if (!job)
      throw new HubpushError(
        "ERR_JOB_NOT_FOUND",
        `there is no job ${jobId}; \`hubpush list\` shows the jobs`,
      );
    return job;
  }

  #setState<T extends "job.resumed" | "job.paused" | "job.cancelled" | "job.retried">(
    jobId: number,
    state: JobRecord["state"],
    event: T,
    data: EventPayload<T>,
  ): JobRecord {
    const job = this.#journal.jobs.setState(jobId, state, null);
    this.#journal.events.append(event, jobId, data);
    return job;
  }

  #launch(job: JobRecord): void {
    if (this.#stopping || this.#running.has(job.id)) return;
    const hub = this.#hubFor(job);
    const runner = new JobRunner(job, {
      services: this.#services,
      hub,
      excludeAbsolute: this.#excludeAbsolute,
    });
    const finished = runner
      .run()
      .finally(() => hub.close().catch(() => {}))
      .then(
        (outcome) => this.#finish(job.id, outcome),
        (err: unknown) => {
          this.#services.logger.error({ err, jobId: job.id }, "job runner failed");
          return this.#finish(job.id, { kind: "halted" });
        },
      );
    this.#running.set(job.id, { runner, finished });
  }

  #finish(jobId: number, outcome: RunnerOutcome): RunnerOutcome {
    this.#running.delete(jobId);
    const current = this.#journal.jobs.get(jobId);
    if (outcome.kind === "blocked" && current?.state === "active") {
      this.#journal.jobs.setState(jobId, "blocked", outcome.error);
      this.#journal.events.append("job.blocked", jobId, { ...outcome.error });
    } else if (outcome.kind === "paused" && current?.state === "active") {
      this.#journal.jobs.setState(jobId, "paused", null);
      this.#journal.jobs.recordError(jobId, outcome.error);
      this.#journal.events.append("job.paused", jobId, { ...outcome.error });
      this.#services.logger.warn({ jobId, err: outcome.error }, "watch job paused: its folder is gone");
    } else if (outcome.kind === "done" && current?.state === "active") {
      this.#journal.jobs.setState(jobId, "done", null);
      this.#journal.events.append("job.done", jobId, { commits: current.commitsMade });
    } else if (current?.state === "active" && !this.#stopping) {
      // Halted without a reason (e.g. resumed while halting): run it again.
      this.#launch(current);
    }
    const job = this.#journal.jobs.get(jobId);
    if (job && (job.state === "done" || job.state === "blocked" || job.state === "cancelled")) {
      for (const resolve of this.#settled.get(jobId) ?? []) resolve(job);
      this.#settled.delete(jobId);
    }
    return outcome;
  }
}

function pendingFiles(byState: Readonly<Record<FileState, StageProgress>>): number {
  return PENDING_FILE_STATES.reduce((sum, s) => sum + byState[s].files, 0);
}
