import { availableParallelism } from "node:os";
import type { JobRecord, Journal } from "../storage/journal.js";
import type { Engine, EngineSettings } from "./engine.js";
import { EngineServices } from "./engine-services.js";
import { DEFAULT_TUNING, type EngineTuning } from "./engine-tuning.js";
import { HashPool } from "./hash/hash-pool.js";
import type { HubClient, HubRepo } from "./hub/hub-client.js";
import { LazyHubClient } from "./hub/lazy-hub-client.js";
import type { Logger } from "./logger.js";
import { UploadEngine } from "./upload-engine.js";

export interface CreateEngineOptions {
  readonly journal: Journal;
  /** The Hub token for a job; called whenever one is needed, so a fixed token file is picked up. */
  readonly tokenFor: (job: JobRecord) => Promise<string>;
  readonly logger: Logger;
  /** Defaults: hashWorkers = cores, uploadWorkers = 4, maxRateBytesPerSec = null. */
  readonly settings?: Partial<EngineSettings>;
  /** Batching, pacing and backoff knobs (tests shorten the waits). */
  readonly tuning?: Partial<EngineTuning>;
  readonly now?: () => number;
  /** Absolute paths the scan must never enter (the state directory). */
  readonly excludeAbsolute?: readonly string[];
  /** Builds the Hub client of a job (default: UndiciHubClient on the job's endpoint, loaded on first use). */
  readonly hubFor?: (job: JobRecord, token: () => Promise<string>) => HubClient;
}

/** Wires the engine: services shared by all jobs, and a Hub client per job (its own token source). */
export function createEngine(options: CreateEngineOptions): Engine {
  const settings: EngineSettings = Object.freeze({
    hashWorkers: options.settings?.hashWorkers ?? availableParallelism(),
    uploadWorkers: options.settings?.uploadWorkers ?? 4,
    maxRateBytesPerSec: options.settings?.maxRateBytesPerSec ?? null,
  });
  const services = new EngineServices({
    journal: options.journal,
    hashPool: new HashPool({ workers: settings.hashWorkers }),
    tuning: Object.freeze({ ...DEFAULT_TUNING, ...options.tuning }),
    logger: options.logger,
    now: options.now ?? Date.now,
    settings,
  });
  const hubFor =
    options.hubFor ??
    ((job: JobRecord, token: () => Promise<string>) =>
      new LazyHubClient({ endpoint: job.endpoint, token, onRepoMoved: repoMovedRecorder(options, job) }));
  return new UploadEngine(
    services,
    (job) => hubFor(job, () => options.tokenFor(job)),
    options.excludeAbsolute ?? [],
  );
}

/** Records a repo the Hub redirected (renamed or moved) in the job, for later calls and status. */
export function repoMovedRecorder(
  options: Pick<CreateEngineOptions, "journal" | "logger">,
  job: JobRecord,
): (from: HubRepo, to: HubRepo) => void {
  return (from, to) => {
    options.journal.jobs.recordRepoMoved(job.id, to.id);
    options.journal.events.append("repo.moved", job.id, { from: from.id, to: to.id });
    options.logger.warn({ jobId: job.id, from: from.id, to: to.id }, "the Hub says the repo moved");
  };
}
