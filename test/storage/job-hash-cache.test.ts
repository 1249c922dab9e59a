import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import t from "tap";
import { JobHashCache } from "../../storage/job-hash-cache.js";
import { openJournal } from "../../storage/sqlite-journal.js";
import { fileAt, hashesFor, OPTIONS, specFor } from "./contract/contract-helpers.js";

t.test("reads a job's recorded hashes, read-only; unknown job or no journal: null", async (t) => {
  const path = join(t.testdir(), "journal.db");
  const journal = openJournal(path);
  const { job } = journal.jobs.upsert(specFor("/data"), OPTIONS);
  const generation = journal.scan.begin(job.id);
  journal.scan.upsertFiles(job.id, generation, [fileAt("a.txt", 1), fileAt("b.txt", 2)]);
  const [a] = journal.files.claim({
    jobId: job.id,
    state: "scanned",
    limit: 1,
    leaseId: "w",
    leaseMs: 60_000,
  });
  t.ok(a);
  if (a === undefined) return;
  t.ok(journal.stages.recordHashed(a.id, "w", a, a, hashesFor(7)));
  journal.close();
  const before = readFileSync(path);

  const cache = JobHashCache.open(path, [specFor("/elsewhere"), specFor("/data")]);
  t.ok(cache, "the second identity matches");
  t.equal(cache?.jobId, job.id);
  const { path: _path, ...stat } = fileAt("a.txt", 1);
  t.same(cache?.get("a.txt"), { ...stat, ...hashesFor(7) }, "hashes with the stat");
  t.equal(cache?.get("b.txt"), null, "not hashed yet");
  t.equal(cache?.get("nope"), null);
  cache?.close();
  t.ok(readFileSync(path).equals(before), "the journal file is unchanged");

  t.equal(JobHashCache.open(path, [specFor("/data", "dev")]), null, "another branch is another job");
  const missing = join(t.testdir(), "none.db");
  t.equal(JobHashCache.open(missing, [specFor("/data")]), null);
  t.notOk(existsSync(missing), "no journal is created");
});
