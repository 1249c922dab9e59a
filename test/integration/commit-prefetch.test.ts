/**
 * Issue 16 item 1 (W1): the committer claims and builds its next batch while a commit is in flight
 * (core/stages/commit-prefetch.ts), and records it as sent only after that commit's answer. Real
 * engine, journal (read beside it through a second SQLite connection, for the lease columns) and
 * emulator; commits slowed down so that the next batch is ready while one is in flight.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import t, { type Test } from "tap";
import { type Harness, startHarness } from "../helpers/engine-harness.js";

const FILES = 240;
const BATCH = 20;

interface Sampled {
  /** Most files seen claimed by the committer (still `uploaded`) while a commit was `sent`. */
  prepared: number;
  /** Every such count seen. */
  sizes: Set<number>;
  samples: number;
}

/** Samples the journal every few ms while the job runs. */
function sample(h: Harness, jobId: number): { stop: () => Sampled } {
  const db = new Database(h.journal.path, { readonly: true, fileMustExist: true });
  const inFlight = db.prepare<[number], { n: number }>(
    "SELECT COUNT(*) AS n FROM commits WHERE job_id = ? AND state = 'sent'",
  );
  const claimed = db.prepare<[number], { n: number }>(
    "SELECT COUNT(*) AS n FROM files WHERE job_id = ? AND state = 'uploaded' AND lease_owner LIKE '%:commit:%'",
  );
  const seen: Sampled = { prepared: 0, sizes: new Set(), samples: 0 };
  const timer = setInterval(() => {
    seen.samples++;
    if ((inFlight.get(jobId)?.n ?? 0) === 0) return;
    const n = claimed.get(jobId)?.n ?? 0;
    seen.prepared = Math.max(seen.prepared, n);
    if (n > 0) seen.sizes.add(n);
  }, 3);
  return {
    stop: () => {
      clearInterval(timer);
      db.close();
      return seen;
    },
  };
}

function writeFiles(folder: string): void {
  for (let i = 0; i < FILES; i++)
    writeFileSync(path.join(folder, `f-${i}.txt`), `file ${i}\n`.repeat(1 + (i % 40)));
}

/** Every file committed exactly once: by the journal, by the commits the Hub made, by lease. */
function assertCommittedOnce(t: Test, h: Harness, jobId: number): void {
  const counts = h.journal.jobs.counts(jobId);
  t.equal(counts.byState.committed.files, FILES, "every file committed");
  const landed = h.journal.commits.list(jobId).filter((c) => c.state === "committed");
  t.equal(
    landed.reduce((sum, c) => sum + c.fileCount, 0),
    FILES,
    "the landed commits carry each file once",
  );
  const commitsOnHub = h.requests().filter((r) => r.route === "commit" && r.status === 200).length;
  t.equal(commitsOnHub, landed.length, "no commit was made twice (or made without its journal row)");
  const db = new Database(h.journal.path, { readonly: true, fileMustExist: true });
  try {
    const leased = db
      .prepare<[number], { n: number }>(
        "SELECT COUNT(*) AS n FROM files WHERE job_id = ? AND lease_owner IS NOT NULL",
      )
      .get(jobId);
    t.equal(leased?.n, 0, "no lease is left behind");
  } finally {
    db.close();
  }
}

t.test("the next batch is claimed and built while a commit is in flight; each file lands once", async (t) => {
  const tuning = { commitSizes: [BATCH], initialCommitSizeIndex: 0, preuploadBatch: 10 };
  const h = await startHarness({ tuning, emulator: { faults: "route=commit,kind=latency,ms=250" } });
  t.teardown(() => h.close());
  writeFiles(h.folder);
  const job = h.add("user/prefetch");
  const sampler = sample(h, job.id);
  const settled = await h.engine.whenSettled(job.id);
  const seen = sampler.stop();
  t.equal(settled.state, "done");
  t.ok(seen.samples > 20, `sampled while the job ran (${seen.samples} samples)`);
  t.equal(seen.prepared, BATCH, "a full next batch was claimed while a commit was in flight");
  t.equal(h.journal.commits.list(job.id).length, FILES / BATCH, "full batches only");
  assertCommittedOnce(t, h, job.id);
});

t.test("a commit that fails while the next batch is prepared: nothing is lost or sent twice", async (t) => {
  const tuning = { commitSizes: [BATCH], initialCommitSizeIndex: 0, preuploadBatch: 10 };
  // The 3rd and 4th commits fail before anything is applied (500). The files are ready by then,
  // so the next batch is claimed as each is sent: the failure must give it back (else its files
  // stay leased for leaseMs and the job never ends).
  const faults = "route=commit,kind=status,status=500,after=2,count=2;route=commit,kind=latency,ms=250";
  const h = await startHarness({ tuning, emulator: { faults } });
  t.teardown(() => h.close());
  writeFiles(h.folder);
  const job = h.add("user/prefetch-fail");
  const sampler = sample(h, job.id);
  const settled = await h.engine.whenSettled(job.id);
  const seen = sampler.stop();
  t.equal(settled.state, "done");
  t.equal(seen.prepared, BATCH, "a batch was prepared while a commit was in flight");
  t.equal(
    h.requests().filter((r) => r.route === "commit" && r.status === 500).length,
    2,
    "two commits failed",
  );
  assertCommittedOnce(t, h, job.id);
});

t.test(
  "a stop while a batch is prepared gives its files back; the resumed run commits each once",
  async (t) => {
    const tuning = { commitSizes: [BATCH], initialCommitSizeIndex: 0, preuploadBatch: 10 };
    const h = await startHarness({ tuning, emulator: { faults: "route=commit,kind=latency,ms=400" } });
    t.teardown(() => h.close());
    writeFiles(h.folder);
    const job = h.add("user/prefetch-stop");
    const sampler = sample(h, job.id);
    const started = Date.now();
    while (Date.now() - started < 30_000) {
      const landed = h.journal.commits.list(job.id).filter((c) => c.state === "committed").length;
      if (landed >= 2) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    await h.restart(); // stops the engine (in-flight work finishes) and opens a fresh one
    const seen = sampler.stop();
    t.ok(seen.prepared > 0, "a batch was prepared before the stop");
    const settled = await h.engine.whenSettled(job.id);
    t.equal(settled.state, "done");
    assertCommittedOnce(t, h, job.id);
  },
);

t.test("the last, partial batch is prepared too once nothing is left upstream", async (t) => {
  const tuning = { commitSizes: [BATCH], initialCommitSizeIndex: 0, preuploadBatch: 10 };
  const h = await startHarness({ tuning, emulator: { faults: "route=commit,kind=latency,ms=400" } });
  t.teardown(() => h.close());
  writeFiles(h.folder);
  writeFileSync(path.join(h.folder, "extra-1.txt"), "one more\n");
  writeFileSync(path.join(h.folder, "extra-2.txt"), "and another\n");
  const job = h.add("user/prefetch-tail");
  const sampler = sample(h, job.id);
  const settled = await h.engine.whenSettled(job.id);
  const seen = sampler.stop();
  t.equal(settled.state, "done");
  t.ok(
    seen.sizes.has(2),
    `the last 2 files were claimed while the commit before them was in flight (${[...seen.sizes]})`,
  );
  t.equal(h.journal.jobs.counts(job.id).byState.committed.files, FILES + 2, "every file committed");
});
