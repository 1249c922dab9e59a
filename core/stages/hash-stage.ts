import { HubpushError } from "../../common/hubpush-error.js";
import type { FileRecord, HashedResult } from "../../storage/journal.js";
import { decideFailure } from "../failure-policy.js";
import { KEEP_MAX_BYTES, keepHashed } from "../hash/kept-content.js";
import type { HashStageDeps } from "../stage-deps.js";
import { pump } from "./pump.js";
import { currentStat, type StabilityPolicy, unstableUntil } from "./watch-stability.js";

/** Files leased per journal claim, so claims do not cost a transaction per file. */
const CLAIM_CHUNK = 128;
/** Hash results are written in one transaction per this many files (or per FLUSH_MS). */
const RECORD_BATCH = 128;
const FLUSH_MS = 25;
/**
 * Files in flight per hashing thread: enough small files that the pool can send each thread a
 * batch of them (hash-pool.ts), while in-flight bytes beyond 2 files per thread stay under
 * IN_FLIGHT_BYTES per thread, so large files keep to 2 per thread as before.
 */
const IN_FLIGHT_PER_THREAD = 64;
const IN_FLIGHT_BYTES = 8 * 1024 * 1024;
/** While hashing waits for the commits to catch up, it looks again at least this often. */
const AHEAD_POLL_MS = 100;

/**
 * How many hashed files may wait for their commit (hashed, planned or uploaded, not waiting for a
 * retry) before hashing stops claiming more: a full commit batch and a few preupload batches.
 * Hashing far ahead bought nothing (planning and committing set the pace) and cost a second read
 * of most small files, whose kept bytes (core/hash/kept-content.ts, a bounded budget) were gone
 * by their commit: on W1, 8,000 of 10,000 files (issue 16 item 1). Never below the largest commit,
 * so a full batch can always form and no commit waits for its flush interval.
 */
export function hashAheadLimit(tuning: { commitSizes: readonly number[]; preuploadBatch: number }): number {
  return Math.max(...tuning.commitSizes) + 4 * tuning.preuploadBatch;
}

/** Files hashed and not yet in a commit, leaving out those that wait for a retry. */
function hashedAhead(ctx: HashStageDeps): number {
  const counts = ctx.journal.jobs.counts(ctx.jobId);
  const { hashed, planned, uploaded } = counts.byState;
  return hashed.files + planned.files + uploaded.files - counts.waiting;
}

/** Hashes `scanned` files in the shared pool: sha256, blob sha1 and sample in one read each. */
export async function runHashStage(ctx: HashStageDeps): Promise<void> {
  const leaseId = ctx.leaseId("hash");
  const { journal, hashPool, tuning } = ctx;
  const queue: FileRecord[] = [];
  const writes = new BatchedWrites(ctx, leaseId);
  const inFlight = { files: 0, bytes: 0 };
  const aheadLimit = hashAheadLimit(tuning);
  let holding = false;
  try {
    await pump<FileRecord>({
      signal: ctx.haltSignal,
      concurrency: () => hashPool.size * IN_FLIGHT_PER_THREAD,
      claim: (n) => {
        // Files claimed, in flight or with results not yet written count too: at most one chunk beyond.
        const mine = queue.length + inFlight.files + writes.size;
        holding = queue.length < n && hashedAhead(ctx) + mine >= aheadLimit;
        if (queue.length < n && !holding) {
          queue.push(
            ...journal.files.claim({
              jobId: ctx.jobId,
              state: "scanned",
              limit: CLAIM_CHUNK,
              leaseId,
              leaseMs: tuning.leaseMs,
            }),
          );
        }
        const taken: FileRecord[] = [];
        for (const file of queue) {
          if (taken.length >= n) break;
          // Twice the pool size keeps every worker busy while results are recorded; more only
          // while the bytes in flight stay small.
          const beyond = inFlight.files >= hashPool.size * 2;
          if (beyond && inFlight.bytes + file.size > hashPool.size * IN_FLIGHT_BYTES) break;
          taken.push(file);
          inFlight.files += 1;
          inFlight.bytes += file.size;
        }
        queue.splice(0, taken.length);
        return taken;
      },
      work: (file) =>
        hashOne(ctx, file, leaseId, writes).finally(() => {
          inFlight.files -= 1;
          inFlight.bytes -= file.size;
        }),
      idle: async () => {
        writes.flush();
        // A landed commit wakes hashing (commit-stage.ts); the poll covers files that left otherwise.
        await ctx.wake.hash.wait(holding ? AHEAD_POLL_MS : tuning.idlePollMs, ctx.haltSignal);
      },
    });
  } finally {
    writes.flush();
    // Leased but never started: give them back so a resumed run can take them at once.
    for (const file of queue) journal.files.releaseLease(file.id, leaseId);
  }
}

/**
 * Collects finished hashes and records them in one transaction and one multi-row statement per
 * RECORD_BATCH files or FLUSH_MS (recordHashedMany), instead of a statement per file.
 */
class BatchedWrites {
  readonly #ctx: HashStageDeps;
  readonly #leaseId: string;
  #pending: HashedResult[] = [];
  #timer: NodeJS.Timeout | null = null;

  constructor(ctx: HashStageDeps, leaseId: string) {
    this.#ctx = ctx;
    this.#leaseId = leaseId;
  }

  /** Results not written yet. */
  get size(): number {
    return this.#pending.length;
  }

  add(result: HashedResult): void {
    this.#pending.push(result);
    if (this.#pending.length >= RECORD_BATCH) this.flush();
    else this.#timer ??= setTimeout(() => this.#flushFromTimer(), FLUSH_MS);
  }

  /** A timer has no caller to throw to: a journal failure (disk full…) stops the job instead of the process. */
  #flushFromTimer(): void {
    try {
      this.flush();
    } catch (err) {
      const failure = decideFailure(err);
      this.#ctx.logger.error({ err: failure.info }, "cannot record hash results");
      this.#ctx.block(failure.info);
    }
  }

  flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#pending.length === 0) return;
    const results = this.#pending;
    this.#pending = [];
    // Applied only to rows no rescan changed meanwhile; the stat stored is the one hashed.
    const applied = this.#ctx.journal.stages.recordHashedMany(this.#leaseId, results);
    if (applied.length > 0) this.#ctx.wake.plan.notify();
  }
}

async function hashOne(
  ctx: HashStageDeps,
  file: FileRecord,
  leaseId: string,
  writes: BatchedWrites,
): Promise<void> {
  const { journal, hashPool, tuning } = ctx;
  try {
    if (file.size > tuning.maxFileBytes) {
      throw new HubpushError(
        "ERR_FILE_TOO_LARGE",
        `${file.path} is ${file.size} bytes, over the ${tuning.maxFileBytes}-byte limit per file: split it or leave it out with --exclude`,
      );
    }
    const absolute = ctx.localPath(file.path);
    if (ctx.job.options.watch) {
      // Still being written (watch mode): look again once it has been quiet long enough.
      const before = await currentStat(absolute);
      const until = before === null ? null : unstableUntil(before, stability(ctx));
      if (before !== null && until !== null) {
        journal.stages.recordStatChanged(file.id, leaseId, before, until);
        return;
      }
    }
    // A small file's bytes come back with its hashes, while the budget has room, for its commit.
    const keepMaxBytes = hashPool.kept.hasRoom(file.size) ? KEEP_MAX_BYTES : 0;
    const startedMs = Date.now(); // the file system's clock, not ctx.now()
    const outcome = await hashPool.hash(absolute, ctx.signal, { size: file.size, keepMaxBytes });
    if (!outcome.ok && outcome.code === "ERR_FILE_CHANGED") {
      // Still being written: wait with backoff until it is stable rather than re-hashing at once.
      const info = { code: outcome.code, message: outcome.message };
      journal.stages.recordTransientFailure([file.id], leaseId, info, ctx.backoffUntil(file.attempts + 1));
      return;
    }
    if (!outcome.ok) {
      throw new HubpushError(outcome.code, outcome.message, { retryable: outcome.retryable });
    }
    ctx.hashMeter.add(outcome.bytesRead);
    const until = unstableUntil(outcome.statAfter, stability(ctx));
    if (until !== null) {
      // Written to again just before it was read: this content may be a partial write.
      journal.stages.recordStatChanged(file.id, leaseId, outcome.statAfter, until);
      return;
    }
    keepHashed(hashPool.kept, file.id, outcome, startedMs);
    writes.add({ fileId: file.id, expected: file, observed: outcome.statAfter, hashes: outcome.hashes });
  } catch (err) {
    ctx.recordFailure([file], leaseId, err);
  }
}

function stability(ctx: HashStageDeps): StabilityPolicy {
  return {
    watch: ctx.job.options.watch,
    stableMs: ctx.tuning.watchStableMs,
    now: ctx.now(),
  };
}
