import type { Logger } from "pino";
import type { Engine } from "../core/engine.js";
import type { Journal } from "../storage/journal.js";

export interface HousekeepingOptions {
  readonly journal: Journal;
  readonly engine: Engine;
  readonly logger: Logger;
  /** How often to look for due work; default 15 s. */
  readonly tickMs?: number;
  /** Events kept in the journal (older ones are pruned); default 100 000. */
  readonly keepEvents?: number;
  /** Rescan interval of watch jobs without --every; default 5 minutes. */
  readonly defaultWatchMinutes?: number;
  readonly now?: () => number;
}

const PRUNE_EVERY_MS = 60 * 60_000;

/**
 * The daemon's periodic chores: rescanning the folders of watch-mode jobs (every `everyMinutes`,
 * measured from the job's last scan as the journal records it, so a restart does not reset the
 * schedule) and pruning old events.
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
    this.#timer = setInterval(() => this.tick(), this.#options.tickMs ?? 15_000);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** One round of chores (public so tests can drive it without waiting). */
  tick(): void {
    const { journal, engine, logger } = this.#options;
    const now = this.#now();
    if (now - this.#lastPrune >= PRUNE_EVERY_MS) {
      this.#lastPrune = now;
      const pruned = journal.pruneEvents(this.#options.keepEvents ?? 100_000);
      if (pruned > 0) logger.info({ pruned }, "old events pruned");
    }
    for (const job of journal.listJobs()) {
      if (job.state !== "active" || !job.options.watch || this.#scanning.has(job.id)) continue;
      const intervalMs = (job.options.everyMinutes ?? this.#options.defaultWatchMinutes ?? 5) * 60_000;
      if (job.lastScanAt !== null && now - job.lastScanAt < intervalMs) continue;
      this.#scanning.add(job.id);
      engine
        .rescan(job.id)
        .catch((err: unknown) => logger.warn({ err, jobId: job.id }, "watch rescan failed"))
        .finally(() => this.#scanning.delete(job.id));
    }
  }
}
