import type Database from "better-sqlite3";
import { classifySqliteError } from "./classify-sqlite-error.js";
import { guardMethods } from "./guard-methods.js";
import type { StoreContext } from "./store-context.js";
import type { ThroughputLog, ThroughputSample } from "./throughput-log.js";

interface SampleRow {
  job_id: number;
  at: number;
  upload_bps: number;
  hash_bps: number;
}

/** The throughput_samples table (migration 0004): written by the daemon's sampler, read by the page. */
export class ThroughputStore implements ThroughputLog {
  readonly #ctx: StoreContext;
  readonly #insert: Database.Statement<SampleRow>;
  readonly #read: Database.Statement<{ jobId: number; since: number; limit: number }, SampleRow>;
  readonly #prune: Database.Statement<{ before: number }>;

  /** For error messages (guardMethods below): SQLite errors leave the journal as HubpushErrors. */
  readonly journalPath: string;

  constructor(ctx: StoreContext) {
    this.journalPath = ctx.path;
    this.#ctx = ctx;
    this.#insert = ctx.db.prepare(
      // A sample of a job deleted meanwhile is dropped rather than failing the whole batch.
      "INSERT OR REPLACE INTO throughput_samples (job_id, at, upload_bps, hash_bps) " +
        "SELECT @job_id, @at, @upload_bps, @hash_bps WHERE EXISTS (SELECT 1 FROM jobs WHERE id = @job_id)",
    );
    this.#read = ctx.db.prepare(
      "SELECT * FROM throughput_samples WHERE job_id = @jobId AND at >= @since ORDER BY at LIMIT @limit",
    );
    this.#prune = ctx.db.prepare("DELETE FROM throughput_samples WHERE at < @before");
  }

  /** Stores the samples in one transaction (a job that no longer exists is skipped). */
  recordThroughput(samples: readonly ThroughputSample[]): void {
    this.#ctx.db.transaction(() => {
      for (const s of samples) {
        this.#insert.run({
          job_id: s.jobId,
          at: s.at,
          upload_bps: s.uploadBytesPerSec,
          hash_bps: s.hashBytesPerSec,
        });
      }
    })();
  }

  /** The job's samples taken at or after `sinceMs`, oldest first (at most `limit`). */
  readThroughput(jobId: number, sinceMs: number, limit = 10_000): ThroughputSample[] {
    return this.#read.all({ jobId, since: sinceMs, limit }).map((row) => ({
      jobId: row.job_id,
      at: row.at,
      uploadBytesPerSec: row.upload_bps,
      hashBytesPerSec: row.hash_bps,
    }));
  }

  pruneThroughput(beforeMs: number): number {
    return this.#prune.run({ before: beforeMs }).changes;
  }
}

guardMethods(ThroughputStore, (store, err) => classifySqliteError(err, store.journalPath));
