import type { Journal } from "../storage/journal.js";
import type { EngineSettings } from "./engine.js";
import type { EngineTuning } from "./engine-tuning.js";
import type { HashPool } from "./hash/hash-pool.js";
import type { Logger } from "./logger.js";
import { TokenBucket } from "./pacing/token-bucket.js";
import { UploadStreams } from "./pacing/upload-streams.js";

/** A FIFO mutex: one committer per (repo, revision) even when several jobs target it. */
export class Mutex {
  #tail: Promise<void> = Promise.resolve();

  async run<T>(fn: () => Promise<T>): Promise<T> {
    const previous = this.#tail;
    let release: () => void = () => {};
    this.#tail = new Promise<void>((resolve) => {
      release = resolve;
    });
    await previous;
    try {
      return await fn();
    } finally {
      release();
    }
  }
}

/** What all jobs of one engine share: the journal, the hash pool, upload slots and the budgets. */
export class EngineServices {
  readonly journal: Journal;
  readonly hashPool: HashPool;
  readonly tuning: EngineTuning;
  readonly logger: Logger;
  readonly now: () => number;
  #settings: EngineSettings;
  readonly #uploadStreams: UploadStreams;
  readonly #apiBuckets = new Map<string, TokenBucket>();
  readonly #commitBuckets = new Map<string, TokenBucket>();
  readonly #commitLocks = new Map<string, Mutex>();
  /** Bytes per second across all uploads; null = unlimited. */
  #byteBucket: TokenBucket | null = null;

  constructor(options: {
    journal: Journal;
    hashPool: HashPool;
    tuning: EngineTuning;
    logger: Logger;
    now: () => number;
    settings: EngineSettings;
  }) {
    this.journal = options.journal;
    this.hashPool = options.hashPool;
    this.tuning = options.tuning;
    this.logger = options.logger;
    this.now = options.now;
    this.#settings = options.settings;
    const workers = options.settings.uploadWorkers;
    this.#uploadStreams = new UploadStreams({
      start: workers,
      max: Math.max(workers, options.tuning.maxUploadStreams),
      windowMs: options.tuning.streamWindowMs,
      bufferBytes: options.tuning.partBufferBytes,
      onDecision: (decision, limit, rate) =>
        this.logger.debug({ decision, limit, rateBytesPerSec: Math.round(rate) }, "upload connections"),
    });
    this.#applyMaxRate(options.settings.maxRateBytesPerSec);
  }

  get settings(): EngineSettings {
    return this.#settings;
  }

  updateSettings(patch: Partial<EngineSettings>): EngineSettings {
    this.#settings = Object.freeze({ ...this.#settings, ...patch });
    if (patch.uploadWorkers !== undefined)
      this.#uploadStreams.restart(
        patch.uploadWorkers,
        Math.max(patch.uploadWorkers, this.tuning.maxUploadStreams),
      );
    if (patch.maxRateBytesPerSec !== undefined) this.#applyMaxRate(patch.maxRateBytesPerSec);
    return this.#settings;
  }

  #applyMaxRate(rate: number | null): void {
    if (rate === null) {
      this.#byteBucket = null;
      return;
    }
    // A quarter second of burst keeps the cap smooth without starving small writes.
    const capacity = Math.max(64 * 1024, rate / 4);
    if (this.#byteBucket) this.#byteBucket.reconfigure(capacity, rate);
    else this.#byteBucket = new TokenBucket({ capacity, refillPerSecond: rate, now: this.now });
  }

  /** Waits for the bandwidth cap (if any) to allow `bytes` more. */
  async throttleBytes(bytes: number, signal?: AbortSignal): Promise<void> {
    if (this.#byteBucket) await this.#byteBucket.take(bytes, signal);
  }

  /** Runs an LFS transfer in one of the shared upload slots (bigger files first, bounded wait: PriorityGate). */
  withUploadSlot<T>(fn: () => Promise<T>, bytes?: number): Promise<T> {
    return this.#uploadStreams.withFile(fn, bytes);
  }

  /** The engine's upload connections (file and stream slots, adaptive count). */
  get uploadStreams(): UploadStreams {
    return this.#uploadStreams;
  }

  apiBudget(endpoint: string): TokenBucket {
    let bucket = this.#apiBuckets.get(endpoint);
    if (!bucket) {
      const t = this.tuning;
      bucket = new TokenBucket({
        capacity: t.apiCallsPerWindow,
        refillPerSecond: t.apiCallsPerWindow / t.apiWindowSeconds,
        now: this.now,
      });
      this.#apiBuckets.set(endpoint, bucket);
    }
    return bucket;
  }

  commitBudget(repoKey: string): TokenBucket {
    let bucket = this.#commitBuckets.get(repoKey);
    if (!bucket) {
      const t = this.tuning;
      bucket = new TokenBucket({
        capacity: t.commitBurst,
        refillPerSecond: t.commitsPerHour / 3600,
        now: this.now,
      });
      this.#commitBuckets.set(repoKey, bucket);
    }
    return bucket;
  }

  commitLock(repoKey: string): Mutex {
    let lock = this.#commitLocks.get(repoKey);
    if (!lock) {
      lock = new Mutex();
      this.#commitLocks.set(repoKey, lock);
    }
    return lock;
  }
}
