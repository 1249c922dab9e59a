import { type ErrorInfo, type JobRecord, PENDING_FILE_STATES } from "../storage/journal.js";
import type { EngineServices } from "./engine-services.js";
import { ensureRepo } from "./ensure-repo.js";
import { decideFailure } from "./failure-policy.js";
import type { HubClient } from "./hub/hub-client.js";
import { JobContext } from "./job-context.js";
import { PipelineState } from "./pipeline-state.js";
import { scanJob } from "./scan-job.js";
import { awaitsPatternListing, queuePatternDeletions } from "./stages/pattern-deletions.js";
import { WakeSignal } from "./wake-signal.js";

/**
 * The stage loops, loaded when a job has work for them: a restart that finds every file committed
 * never needs them (nor the Hub, LFS and Xet modules they pull in; issue 16 item 2).
 */
async function loadStages() {
  const [hash, plan, upload, commit] = await Promise.all([
    import("./stages/hash-stage.js"),
    import("./stages/plan-stage.js"),
    import("./stages/upload-stage.js"),
    import("./stages/commit-stage.js"),
  ]);
  return {
    runHashStage: hash.runHashStage,
    runPlanStage: plan.runPlanStage,
    runUploadStage: upload.runUploadStage,
    runCommitStage: commit.runCommitStage,
  };
}

export type RunnerOutcome =
  | { kind: "done" }
  | { kind: "blocked"; error: ErrorInfo }
  /** A watch job whose folder went away (unmounted disk): paused with the reason, nothing deleted. */
  | { kind: "paused"; error: ErrorInfo }
  | { kind: "halted" };

export interface JobRunnerDeps {
  readonly services: EngineServices;
  readonly hub: HubClient;
  /** Absolute paths the scan must never enter (the state directory). */
  readonly excludeAbsolute: readonly string[];
}

/** Runs one job in this process: makes sure the repo exists, scans, and drives the stage loops to the end. */
export class JobRunner {
  readonly #ctx: JobContext;
  readonly #deps: JobRunnerDeps;
  /** The scan and commits in flight: written here only, read by the stages as queries. */
  readonly #pipeline = new PipelineState();
  #blocked: ErrorInfo | null = null;
  #paused: ErrorInfo | null = null;
  #rescan: Promise<void> | null = null;
  #nextScan: Promise<void> | null = null;
  /** Settles once the repo and branch are known to exist (or the job stopped): see run(). */
  #repoReady: Promise<boolean> = Promise.resolve(true);
  /** Wakes run()'s end-of-job check as soon as a scan or a commit settles, instead of at its next poll. */
  readonly #settled = new WakeSignal();

  constructor(job: JobRecord, deps: JobRunnerDeps) {
    this.#deps = deps;
    this.#ctx = new JobContext({
      job,
      hub: deps.hub,
      services: deps.services,
      logger: deps.services.logger.child({ jobId: job.id, repo: job.repoId }),
      onBlock: (error) => {
        this.#blocked ??= error;
        this.#ctx.halt();
      },
      pipeline: this.#pipeline,
    });
  }

  /** Stops claiming new work (pause, cancel, graceful stop); what is in flight finishes. */
  halt(): void {
    this.#ctx.halt();
  }

  /** Halts and cancels in-flight requests too (the grace period is over). */
  abort(): void {
    this.#ctx.abort();
  }

  /** Bytes per second uploaded and hashed, over the last seconds. */
  rates(): { readonly upload: number; readonly hash: number } {
    return { upload: this.#ctx.uploadMeter.rate, hash: this.#ctx.hashMeter.rate };
  }

  async run(): Promise<RunnerOutcome> {
    const ctx = this.#ctx;
    // The walk needs nothing from the Hub, so it runs while the repo and branch are checked: a
    // restart over a committed folder no longer pays the round trips before its scan. The stages,
    // which do talk to the Hub, start only once the repo is known to exist.
    // A job that had nothing left to do when it stopped (scanned before, every file settled) asks
    // the Hub only once its walk finds work: a restart that finds none ends without a request
    // (issue 16 item 2: undici, the client and the stages were a tenth of its CPU time).
    const deferred = this.#nothingLeft();
    let startCheck: () => void = () => {};
    this.#repoReady = deferred
      ? new Promise<boolean>((resolve) => {
          startCheck = () => resolve(ensureRepo(ctx));
        })
      : ensureRepo(ctx);
    // Hashing needs nothing from the Hub either: it starts with the walk (its threads start and the
    // first files hash during the repo check's round trips) unless the job may have nothing to do.
    // The stage modules load before the walk starts: loaded beside it, each import step waited for
    // a turn of the walk, and hashing started only once the whole folder was walked (W1).
    const early = deferred ? null : await loadStages();
    void this.#startScan();
    const hashing = early?.runHashStage(ctx).catch((err: unknown) => this.#crashed(err));
    if (deferred) {
      if (!(await this.#workFound())) {
        const done = !ctx.halted && this.#finished();
        ctx.halt();
        await this.#rescan;
        await this.#nextScan;
        return this.#outcome(done);
      }
      startCheck();
    }
    if (!(await this.#repoReady)) {
      // Not ready only once the job halted (blocked or stopped): hashing ends on its own.
      await hashing;
      await this.#rescan;
      await this.#nextScan;
      return this.#outcome(false);
    }
    const { runHashStage, runPlanStage, runUploadStage, runCommitStage } = early ?? (await loadStages());
    const t = ctx.tuning;
    const loops = [
      hashing ?? runHashStage(ctx).catch((err: unknown) => this.#crashed(err)),
      ...[
        ...Array.from({ length: t.planLoops }, (_, i) => runPlanStage(ctx, i)),
        ...Array.from({ length: t.uploadLoops }, (_, i) => runUploadStage(ctx, i)),
        runCommitStage(ctx, (commit) => this.#pipeline.commit(commit).finally(() => this.#settled.notify())),
      ].map((p) => p.catch((err: unknown) => this.#crashed(err))),
    ];
    let done = false;
    while (!ctx.halted) {
      if (this.#rescan === null && this.#finished()) {
        done = true;
        ctx.halt();
        break;
      }
      // Counts are maintained incrementally: looking often costs nothing and ends the job promptly.
      // A scan or commit that settles wakes this at once (a restart that finds nothing to do ends
      // when its walk does, not up to one poll later).
      await this.#settled.wait(Math.min(t.idlePollMs, 200), ctx.haltSignal);
    }
    await Promise.all(loops);
    await this.#rescan;
    await this.#nextScan;
    return this.#outcome(done);
  }

  /**
   * Scans the folder with a walk that starts after this call: if one is already under way (it may
   * have passed the change that prompted this call), one more follows it; callers meanwhile share it.
   */
  rescan(): Promise<void> {
    if (this.#rescan === null) return this.#startScan();
    this.#nextScan ??= this.#rescan.then(() => {
      this.#nextScan = null;
      return this.#ctx.halted ? undefined : this.#startScan();
    });
    return this.#nextScan;
  }

  #startScan(): Promise<void> {
    const run = this.#pipeline
      .scan(async () => {
        await scanJob(this.#ctx, this.#deps.excludeAbsolute);
        // --delete GLOB: the remote listing follows the walk, inside the same slot, so the first
        // commit (which waits for both) knows every path the job uploads. It reads the Hub, so it
        // waits for the repo check that runs beside the first walk (only then: a deferred check
        // may never start, see run()).
        if (!awaitsPatternListing(this.#ctx)) return;
        if (!(await this.#repoReady)) return;
        if (!this.#ctx.halted) await queuePatternDeletions(this.#ctx);
      })
      .catch((err: unknown) => {
        // A halt (pause, cancel, stop) aborts the walk: nothing went wrong, the next run scans again.
        if (this.#ctx.halted) return;
        const failure = decideFailure(err, { watch: this.#ctx.job.options.watch });
        // A watch job's folder may come back (a disk mounted again): pause, so `resume` picks it up.
        if (failure.action === "pause-job") {
          const { code, message } = failure.info;
          this.#paused ??= {
            code,
            message:
              code === "ERR_FOLDER_EMPTIED"
                ? message
                : `${message}. The watch job is paused and nothing was deleted from the repo; once the folder is back (its disk mounted again), run \`hubpush resume ${this.#ctx.jobId}\``,
          };
          this.#ctx.halt();
        } else if (failure.action === "block-job") {
          // A missing or unreadable folder stops the job; nothing is marked vanished.
          this.#ctx.block(failure.info);
        } else this.#crashed(err);
      })
      .finally(() => {
        this.#rescan = null;
        // The scan no longer counts as in flight: the committer may find the pipeline drained.
        this.#ctx.wake.commit.notify();
        this.#settled.notify();
      });
    this.#rescan = run;
    return run;
  }

  /** A job scanned before whose every file and commit had settled: see run(). */
  #nothingLeft(): boolean {
    const { job } = this.#ctx;
    if (job.options.watch) return false;
    const record = this.#ctx.journal.jobs.get(this.#ctx.jobId);
    return (record?.lastScanAt ?? null) !== null && this.#finished();
  }

  /**
   * While the first walk of a deferred job runs: resolves true as soon as it put work in the
   * journal (new or changed files wake the hash stage) or once it ended leaving the job unfinished
   * (files vanished, deletions queued), false when it ended with nothing to do or the job halted.
   */
  async #workFound(): Promise<boolean> {
    const ctx = this.#ctx;
    for (;;) {
      if (ctx.halted) return false;
      if (this.#rescan === null) return !this.#finished();
      if (this.#activeFiles() > 0) return true;
      const wakeUp = new AbortController();
      const off = (): void => wakeUp.abort();
      ctx.haltSignal.addEventListener("abort", off, { once: true });
      await Promise.race([
        ctx.wake.hash.wait(ctx.tuning.idlePollMs, wakeUp.signal),
        this.#settled.wait(ctx.tuning.idlePollMs, wakeUp.signal),
      ]);
      wakeUp.abort();
      ctx.haltSignal.removeEventListener("abort", off);
    }
  }

  #activeFiles(): number {
    const counts = this.#ctx.journal.jobs.counts(this.#ctx.jobId).byState;
    return PENDING_FILE_STATES.reduce((sum, s) => sum + counts[s].files, 0);
  }

  #finished(): boolean {
    if (this.#ctx.job.options.watch || this.#pipeline.committing) return false;
    const active = this.#activeFiles();
    if (awaitsPatternListing(this.#ctx)) return false;
    const deleting =
      this.#ctx.job.options.deleteRemote || (this.#ctx.job.options.deletePatterns ?? []).length > 0
        ? this.#ctx.journal.deletions.counts(this.#ctx.jobId)
        : null;
    if (deleting !== null && deleting.pending + deleting.committing > 0) return false;
    return active === 0 && this.#ctx.journal.commits.listUnsettled(this.#ctx.jobId).length === 0;
  }

  #outcome(done: boolean): RunnerOutcome {
    if (this.#blocked) return { kind: "blocked", error: this.#blocked };
    if (this.#paused) return { kind: "paused", error: this.#paused };
    return done ? { kind: "done" } : { kind: "halted" };
  }

  #crashed(err: unknown): void {
    if (this.#ctx.halted && err instanceof Error && err.name === "AbortError") return;
    const failure = decideFailure(err);
    this.#ctx.logger.error({ err }, "stage loop crashed");
    // A journal failure (disk full…) says what to do itself; anything else is a bug of ours.
    if (failure.action === "block-job") this.#ctx.block(failure.info);
    else this.#ctx.block({ code: failure.error.code, message: `internal error: ${failure.info.message}` });
  }
}
