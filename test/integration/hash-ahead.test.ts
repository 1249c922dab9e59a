/**
 * Issue 16 item 1: hashing stops claiming while enough hashed files wait for their commit
 * (hashAheadLimit), so the bytes it keeps for small files are still there when their commit is
 * built, and resumes as commits land. Real engine, journal and emulator; commits slowed down so
 * that hashing alone would run far ahead.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import t from "tap";
import { hashAheadLimit } from "../../core/stages/hash-stage.js";
import { startHarness } from "../helpers/engine-harness.js";

const FILES = 600;
/** Files the hash stage may hold beyond the limit: the one chunk it claims at a time. */
const SLACK = 128;

t.test("hashing holds while the hashed backlog is at its limit, and the job still completes", async (t) => {
  const tuning = { commitSizes: [20], initialCommitSizeIndex: 0, preuploadBatch: 10 };
  const limit = hashAheadLimit(tuning);
  t.equal(limit, 60, "the largest commit and four preupload batches");
  const h = await startHarness({ tuning, emulator: { faults: "route=commit,kind=latency,ms=150" } });
  t.teardown(() => h.close());
  for (let i = 0; i < FILES; i++)
    writeFileSync(path.join(h.folder, `f-${i}.txt`), `file ${i}\n`.repeat(1 + (i % 50)));
  const job = h.add("user/ahead");

  let most = 0;
  let samples = 0;
  const sampler = setInterval(() => {
    const counts = h.journal.jobs.counts(job.id);
    const { hashed, planned, uploaded } = counts.byState;
    most = Math.max(most, hashed.files + planned.files + uploaded.files - counts.waiting);
    samples++;
  }, 5);
  const settled = await h.engine.whenSettled(job.id).finally(() => clearInterval(sampler));
  t.equal(settled.state, "done");
  t.ok(samples > 20, `sampled while the job ran (${samples} samples)`);
  t.ok(most >= limit, `the backlog reached the limit (${most})`);
  t.ok(
    most <= limit + SLACK,
    `hashed files waiting for a commit stayed ≤ ${limit} + ${SLACK}: at most ${most}`,
  );
  const counts = h.journal.jobs.counts(job.id);
  t.equal(counts.byState.committed.files, FILES, "every file committed");
  t.same(
    h.journal.files.list(job.id).filter((f) => f.hashCount !== 1),
    [],
    "every file hashed once",
  );
});
