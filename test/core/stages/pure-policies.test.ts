import t from "tap";
import {
  type CommitDueInput,
  commitDue,
  everyMsOf,
  nextScheduledCommitAt,
} from "../../../core/stages/commit-schedule.js";
import {
  PARTIAL_BATCH_BYTES,
  PARTIAL_BATCH_MAX_AGE_MS,
  type PlanBacklog,
  planBatchDue,
} from "../../../core/stages/plan-batching.js";
import { unstableUntil } from "../../../core/stages/watch-stability.js";

const NOW = 10_000_000;
const MIN = 60_000;

function due(
  patch: Partial<CommitDueInput> & { ready?: number; upstream?: number; waitedMs?: number },
): boolean {
  const { ready = 1, upstream = 0, waitedMs = 0, ...rest } = patch;
  return commitDue({
    backlog: { ready, upstream, waitedMs },
    batchTarget: 50,
    scanning: false,
    watch: false,
    flushIntervalMs: 1_000,
    everyMs: 5 * MIN,
    lastSentAt: null,
    now: NOW,
    ...rest,
  });
}

t.test("commit scheduling: one-shot jobs", async (t) => {
  t.equal(due({ ready: 0 }), false, "nothing ready, nothing due");
  t.equal(due({ ready: 50, upstream: 10, scanning: true }), true, "a full batch goes at once");
  t.equal(due({ ready: 3, upstream: 10 }), false, "a partial batch waits for more while files are upstream");
  t.equal(
    due({ ready: 3, upstream: 10, waitedMs: 1_000 }),
    true,
    "…until its oldest file waited flushIntervalMs",
  );
  t.equal(due({ ready: 3, upstream: 0 }), true, "a drained pipeline commits what it has");
  t.equal(due({ ready: 3, upstream: 0, scanning: true }), false, "a running scan may still bring files");
});

t.test("commit scheduling: watch jobs commit at most every --every", async (t) => {
  const watch = { watch: true };
  t.equal(due({ ...watch, ready: 50, lastSentAt: NOW - 1 }), true, "a full batch ignores the schedule");
  t.equal(due({ ...watch, ready: 3, lastSentAt: NOW - MIN }), false, "too soon after the last commit");
  t.equal(due({ ...watch, ready: 3, lastSentAt: NOW - 5 * MIN }), true, "drained and the interval passed");
  t.equal(due({ ...watch, ready: 3, lastSentAt: null }), true, "the first commit of a drained job");
  t.equal(due({ ...watch, ready: 3, upstream: 5, waitedMs: MIN }), false, "not drained, not waited --every");
  t.equal(due({ ...watch, ready: 3, upstream: 5, waitedMs: 5 * MIN }), true, "a file waited --every");
  t.equal(due({ ...watch, ready: 3, waitedMs: 5 * MIN, flushIntervalMs: 0, scanning: true }), true);
  t.equal(nextScheduledCommitAt(true, 5 * MIN, NOW), NOW + 5 * MIN);
  t.equal(nextScheduledCommitAt(true, 5 * MIN, null), null, "no commit yet: none scheduled");
  t.equal(nextScheduledCommitAt(false, 5 * MIN, NOW), null, "a one-shot job has no schedule");
  t.equal(everyMsOf({ everyMinutes: null }), 5 * MIN, "default --every is 5 minutes");
  t.equal(everyMsOf({ everyMinutes: 2 }), 2 * MIN);
});

t.test("watch stability: a file is hashed once its mtime is stableMs old", async (t) => {
  const mtimeNs = (ms: number): string => (BigInt(ms) * 1_000_000n + 123n).toString();
  const policy = { watch: true, stableMs: 2_000, now: NOW };
  t.equal(unstableUntil({ mtimeNs: mtimeNs(NOW - 500) }, policy), NOW + 1_500, "written 0.5 s ago");
  t.equal(unstableUntil({ mtimeNs: mtimeNs(NOW - 2_000) }, policy), null, "quiet long enough");
  t.equal(
    unstableUntil({ mtimeNs: mtimeNs(NOW + 60_000) }, policy),
    NOW + 62_000,
    "an mtime in the future waits",
  );
  t.equal(unstableUntil({ mtimeNs: mtimeNs(NOW) }, { ...policy, watch: false }), null, "one-shot: as it is");
});

t.test("plan batching: full batches, or partial ones when nothing more comes soon", async (t) => {
  let asked = 0;
  const backlog = (patch: Partial<PlanBacklog>, oldest: number | null = null): PlanBacklog => ({
    hashed: 10,
    scanned: 5,
    scanning: false,
    batchSize: 100,
    oldestHashedAt: () => {
      asked += 1;
      return oldest;
    },
    now: NOW,
    ...patch,
  });
  t.equal(planBatchDue(backlog({ hashed: 100 })), true, "a full batch");
  t.equal(asked, 0, "a full batch does not ask the journal for the oldest file");
  t.equal(planBatchDue(backlog({ scanned: 0 })), true, "nothing left to hash: send what there is");
  t.equal(planBatchDue(backlog({ scanned: 0, scanning: true })), false, "the scan may bring more");
  t.equal(planBatchDue(backlog({}, NOW - 100)), false, "hashing goes on and the batch is young");
  t.equal(planBatchDue(backlog({}, NOW - PARTIAL_BATCH_MAX_AGE_MS)), true, "the oldest waited 2 s");
  t.equal(planBatchDue(backlog({}, null)), false, "nothing hashed yet");
  const big = { hashedBytes: PARTIAL_BATCH_BYTES };
  t.equal(
    planBatchDue(backlog({ ...big, uploadIdle: true }, NOW - 100)),
    true,
    "64 MiB and nothing uploading",
  );
  t.equal(
    planBatchDue(backlog({ ...big, uploadIdle: false }, NOW - 100)),
    false,
    "an upload is under way: wait",
  );
  t.equal(
    planBatchDue(backlog({ hashedBytes: PARTIAL_BATCH_BYTES - 1, uploadIdle: true }, NOW - 100)),
    false,
    "a few small files are not worth a call of their own",
  );
});
