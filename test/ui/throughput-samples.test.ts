import { join } from "node:path";
import pino from "pino";
import t from "tap";
import type { Engine, JobProgress } from "../../core/engine.js";
import { hubCommitUrl, jobHistory } from "../../daemon/ui-history.js";
import { ThroughputSampler } from "../../daemon/ui-throughput-sampler.js";
import { openJournal } from "../../storage/sqlite-journal.js";
import { OPTIONS, specFor } from "../storage/contract/contract-helpers.js";

// The chart's history on a real journal file: samples are written, read back after reopening
// (a daemon restart), pruned, and dropped with their job. The sampler is driven by hand.

t.test("samples survive a reopen, are read by time and pruned", async (t) => {
  const path = join(t.testdir(), "journal.sqlite");
  let journal = openJournal(path);
  const { job } = journal.jobs.upsert(specFor("/data"), OPTIONS);
  journal.throughput.recordThroughput([
    { jobId: job.id, at: 1_000, uploadBytesPerSec: 10, hashBytesPerSec: 20 },
    { jobId: job.id, at: 2_000, uploadBytesPerSec: 30, hashBytesPerSec: 40 },
    { jobId: 999, at: 2_000, uploadBytesPerSec: 1, hashBytesPerSec: 1 },
  ]);
  journal.close();
  journal = openJournal(path);
  t.teardown(() => journal.close());
  t.same(
    journal.throughput.readThroughput(job.id, 0).map((s) => [s.at, s.uploadBytesPerSec, s.hashBytesPerSec]),
    [
      [1_000, 10, 20],
      [2_000, 30, 40],
    ],
    "both samples, oldest first, after a reopen",
  );
  t.same(journal.throughput.readThroughput(999, 0), [], "a sample of a job that does not exist is dropped");
  t.equal(journal.throughput.readThroughput(job.id, 1_500).length, 1, "read from a time on");
  t.equal(journal.throughput.pruneThroughput(1_500), 1);
  t.equal(journal.throughput.readThroughput(job.id, 0).length, 1);
});

t.test(
  "the sampler records running jobs, ends a line with one zero, and skips idle finished jobs",
  async (t) => {
    const journal = openJournal(join(t.testdir(), "journal.sqlite"));
    t.teardown(() => journal.close());
    const a = journal.jobs.upsert(specFor("/a"), OPTIONS).job;
    const b = journal.jobs.upsert(specFor("/b"), OPTIONS).job;
    journal.jobs.setState(b.id, "done");
    const rates = new Map<number, { up: number; hash: number; running: boolean }>([
      [a.id, { up: 100, hash: 200, running: true }],
      [b.id, { up: 0, hash: 0, running: false }],
    ]);
    const engine = {
      progress: (id: number) => {
        const r = rates.get(id) ?? { up: 0, hash: 0, running: false };
        return { uploadRate: r.up, hashRate: r.hash, running: r.running } as unknown as JobProgress;
      },
    } as unknown as Engine;
    let now = 10_000;
    const sampler = new ThroughputSampler({
      journal,
      engine,
      logger: pino({ level: "silent" }),
      now: () => now,
    });
    sampler.tick();
    rates.set(a.id, { up: 0, hash: 0, running: false });
    now += 2_000;
    sampler.tick();
    now += 2_000;
    sampler.tick();
    t.same(
      journal.throughput.readThroughput(a.id, 0).map((s) => [s.at, s.uploadBytesPerSec]),
      [
        [10_000, 100],
        [12_000, 0],
      ],
      "one closing zero, then nothing while idle",
    );
    t.same(journal.throughput.readThroughput(b.id, 0), [], "a finished idle job gets no samples");
  },
);

t.test("job history links commits to the Hub by repo type", async (t) => {
  const journal = openJournal(join(t.testdir(), "journal.sqlite"));
  t.teardown(() => journal.close());
  const spec = {
    ...specFor("/d"),
    repoType: "dataset" as const,
    repoId: "user/set",
    endpoint: "http://hub.test",
  };
  const { job } = journal.jobs.upsert(spec, OPTIONS);
  t.equal(hubCommitUrl(job, "abc"), "http://hub.test/datasets/user/set/commit/abc");
  t.equal(hubCommitUrl({ ...job, repoType: "model" }, "abc"), "http://hub.test/user/set/commit/abc");
  t.equal(hubCommitUrl({ ...job, repoType: "space" }, "abc"), "http://hub.test/spaces/user/set/commit/abc");
  journal.throughput.recordThroughput([
    { jobId: job.id, at: Date.now(), uploadBytesPerSec: 5, hashBytesPerSec: 6 },
  ]);
  const history = jobHistory(journal, journal.jobs.get(job.id) ?? job, 60);
  t.same(history.commits, [], "no commits yet (the browser test checks real ones and their links)");
  t.equal(history.samples.length, 1);
  t.equal(history.samples[0]?.[1], 5);
});
