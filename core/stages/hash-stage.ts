import path from "node:path";
import { HubpushError } from "../../common/hubpush-error.js";
import type { FileRecord } from "../../storage/journal.js";
import type { JobContext } from "../job-context.js";
import { pump } from "./pump.js";

/** Hashes `scanned` files in the shared pool: sha256, blob sha1 and sample in one read each. */
export async function runHashStage(ctx: JobContext): Promise<void> {
  const owner = ctx.owner("hash");
  const { journal, hashPool, tuning } = ctx.services;
  await pump<FileRecord>({
    signal: ctx.haltSignal,
    // Twice the pool size keeps every worker busy while results are being recorded.
    concurrency: () => hashPool.size * 2,
    claim: (n) =>
      journal.claimFiles({ jobId: ctx.jobId, state: "scanned", limit: n, owner, leaseMs: tuning.leaseMs }),
    work: (file) => hashOne(ctx, file, owner),
    idle: () => ctx.wake.hash.wait(tuning.idlePollMs, ctx.haltSignal),
  });
}

async function hashOne(ctx: JobContext, file: FileRecord, owner: string): Promise<void> {
  const { journal, hashPool, tuning } = ctx.services;
  try {
    if (file.size > tuning.maxFileBytes) {
      throw new HubpushError(
        "ERR_FILE_TOO_LARGE",
        `${file.path} is ${file.size} bytes, over the ${tuning.maxFileBytes}-byte limit per file: split it or leave it out with --exclude`,
      );
    }
    const outcome = await hashPool.hash(path.join(ctx.job.folder, file.path), ctx.signal);
    if (!outcome.ok && outcome.code === "ERR_FILE_CHANGED") {
      // Still being written: wait with backoff until it is stable rather than re-hashing at once.
      const info = { code: outcome.code, message: outcome.message };
      journal.recordTransientFailure([file.id], owner, info, ctx.backoffUntil(file.attempts + 1));
      return;
    }
    if (!outcome.ok) {
      throw new HubpushError(outcome.code, outcome.message, { retryable: outcome.retryable });
    }
    ctx.hashMeter.add(outcome.bytesRead);
    // Applied only if no rescan changed the row meanwhile; the stat stored is the one hashed.
    if (journal.recordHashed(file.id, owner, file, outcome.statAfter, outcome.hashes)) ctx.wake.plan.notify();
  } catch (err) {
    ctx.recordFailure([file], owner, err);
  }
}
