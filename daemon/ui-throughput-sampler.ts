import type { Logger } from "pino";
import type { Engine } from "../core/engine.js";
import type { Journal, ThroughputSample } from "../storage/journal.js";

export interface ThroughputSamplerOptions {
  readonly journal: Journal;
  readonly engine: Engine;
  readonly logger: Logger;
  /** Default 2 s: 1 800 points per job and hour, one small transaction per tick. */
  readonly everyMs?: number;
  /** Samples older than this are pruned; default 24 h (the chart shows the last hour). */
  readonly keepMs?: number;
  readonly now?: () => number;
}

const PRUNE_EVERY_MS = 10 * 60_000;

/**
 * Writes the smoothed upload and hashing rate of every job that runs in this process to the
 * journal, so the status page's chart has history after a reload or a daemon restart. It always
 * runs (not only while the page is on): the chart of the last hour is there when the page opens.
 */
export class ThroughputSampler {
  readonly #options: ThroughputSamplerOptions;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | null = null;
  #lastPrune = Number.NEGATIVE_INFINITY;
  /** Jobs that had a non-zero rate at the last tick: one closing zero sample ends their line. */
  #moving = new Set<number>();

  constructor(options: ThroughputSamplerOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  start(): void {
    this.#timer = setInterval(() => this.tick(), this.#options.everyMs ?? 2_000);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** One sample per running job (public so tests can drive it). */
  tick(): void {
    const { journal, engine, logger } = this.#options;
    const at = this.#now();
    try {
      const samples: ThroughputSample[] = [];
      const moving = new Set<number>();
      for (const job of journal.jobs.list()) {
        const finished = job.state === "done" || job.state === "cancelled";
        if (finished && !this.#moving.has(job.id)) continue;
        const progress = engine.progress(job.id);
        const moved = progress.uploadRate > 0 || progress.hashRate > 0;
        if (moved) moving.add(job.id);
        if (!moved && !this.#moving.has(job.id) && !progress.running) continue;
        samples.push({
          jobId: job.id,
          at,
          uploadBytesPerSec: Math.round(progress.uploadRate),
          hashBytesPerSec: Math.round(progress.hashRate),
        });
      }
      this.#moving = moving;
      if (samples.length > 0) journal.throughput.recordThroughput(samples);
      if (at - this.#lastPrune >= PRUNE_EVERY_MS) {
        this.#lastPrune = at;
        journal.throughput.pruneThroughput(at - (this.#options.keepMs ?? 24 * 60 * 60_000));
      }
    } catch (err) {
      // A missed sample leaves a gap in a chart; it must never disturb the uploads.
      logger.warn({ err }, "throughput sample failed");
    }
  }
}
