import type { Logger } from "pino";
import type { Engine } from "../core/engine.js";
import { DEFAULT_TUNING, type EngineTuning } from "../core/engine-tuning.js";
import type { Journal } from "../storage/journal.js";
import type { FolderWatchers } from "./folder-watchers.js";
import { nextRescanAt } from "./rescan-policy.js";

export interface HousekeepingOptions {
  readonly journal: Journal;
  readonly engine: Engine;
  readonly logger: Logger;
  /** The watchers of watch jobs, kept in step with the jobs at every tick; none = rescans only. */
  readonly watchers?: FolderWatchers;
  /** How often to look for due work; default 2 s (a tick costs one small query). */
  readonly tickMs?: number;
  /** Events kept in the journal (older ones are pruned); default 100 000. */
  readonly keepEvents?: number;
  readonly tuning?: Pick<EngineTuning, "watchRescanMs">;
  readonly now?: () => number;
}

const PRUNE_EVERY_MS = 60 * 60_000;

/**
 * The daemon's periodic chores: starting and stopping folder watchers as watch jobs come and go,
 * rescanning watch jobs when their full rescan is due (rescan-policy.ts), and pruning old events.
 */
export class Housekeeping {
  readonly #options: HousekeepingOptions;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | null = null;
  #lastPrune = Number.NEGATIVE_INFINITY;
  readonly #scanning = new Set<number>();

  constructor(options: HousekeepingOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  start(): void {
    this.tick();
    this.#timer = setInterval(() => this.tick(), this.#options.tickMs ?? 2_000);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** One round of chores (public so tests can drive it without waiting). */
  tick(): void {
    const { journal, engine, logger, watchers } = this.#options;
    const now = this.#now();
    if (now - this.#lastPrune >= PRUNE_EVERY_MS) {
      this.#lastPrune = now;
      const pruned = journal.events.prune(this.#options.keepEvents ?? 100_000);
      if (pruned > 0) logger.info({ pruned }, "old events pruned");
    }
    const jobs = journal.jobs.list();
    watchers?.sync(jobs);
    const tuning = this.#options.tuning ?? DEFAULT_TUNING;
    for (const job of jobs) {
      if (job.state !== "active" || !job.options.watch || this.#scanning.has(job.id)) continue;
      // Without a watcher (none given, or it failed) the folder is polled every --every minutes.
      const mode = watchers?.status(job.id)?.mode ?? "polling";
      const due = nextRescanAt(job, mode, tuning);
      // No scan finished yet: the job runner scans at start, nothing is due.
      if (due === null || now < due) continue;
      this.#scanning.add(job.id);
      engine
        .rescan(job.id)
        .catch((err: unknown) => logger.warn({ err, jobId: job.id }, "watch rescan failed"))
        .finally(() => this.#scanning.delete(job.id));
    }
  }
}
