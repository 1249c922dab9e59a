import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import path from "node:path";
import t from "tap";
import { readAccessLog } from "../helpers/access-log.js";
import { startHarness } from "../helpers/engine-harness.js";

// An upload loop claims its next batch (and asks its LFS batch) while every connection is busy
// (core/stages/upload-stage.ts): the file slots go largest first only among the files claimed, so
// a file planned while the link was full must reach them before a slot frees. W8's mix had its
// biggest file (41 MiB of 1–50 MiB, at 1 MB/s per connection) claimed only when a fifth connection
// opened, 6 s in, and it ended the run alone. One loop, one file per preupload and per batch, one
// connection capped at 1 MB/s (a 3 MiB PUT takes ~3 s); every preupload but the first answers
// 1.5 s late, so the second file is planned while the first one's PUT holds the only connection:
// its LFS batch must come before that PUT ends.
const MiB = 1024 * 1024;

t.test("a loop asks its next LFS batch while every connection is busy", async (t) => {
  const h = await startHarness({
    emulator: {
      multipartThresholdBytes: 64 * MiB,
      link: "conn=1M",
      faults: "route=preupload,kind=latency,ms=1500,after=1",
    },
    tuning: { uploadLoops: 1, planLoops: 1, preuploadBatch: 1, lfsBatch: 1, streamWindowMs: 60_000 },
    uploadWorkers: 1,
  });
  t.teardown(() => h.close());
  writeFileSync(path.join(h.folder, "a.bin"), randomBytes(3 * MiB));
  writeFileSync(path.join(h.folder, "b.bin"), randomBytes(3 * MiB));
  const job = h.add("user/claim-ahead", { transfer: "lfs" });
  const settled = await h.engine.whenSettled(job.id);
  t.equal(settled.state, "done", "the job finished");

  const lines = readAccessLog(h.accessLog);
  const batches = lines.filter((l) => l.route === "lfs-batch").map((l) => Date.parse(l.time));
  const puts = lines
    .filter((l) => l.route === "lfs-put")
    .map((l) => ({ end: Date.parse(l.time), start: Date.parse(l.time) - l.durationMs }))
    .sort((a, b) => a.start - b.start);
  t.equal(batches.length, 2, "one LFS batch call per file");
  t.equal(puts.length, 2, "two PUTs, one per file");
  const firstPut = puts[0];
  const secondBatch = batches.sort((a, b) => a - b)[1];
  if (firstPut === undefined || secondBatch === undefined) throw new Error("missing requests");
  t.ok(
    secondBatch < firstPut.end - 500,
    `the second LFS batch answered ${firstPut.end - secondBatch} ms before the first PUT ended (> 500)`,
  );
});

// Claimed as soon as planned, batches are small; past 2 per loop a loop claims more while few
// files wait for a slot (W8's mix had its biggest file in a fifth batch, claimed only when a whole
// batch ended, 30 s later). One loop, one file per batch, one 1 MB/s connection: all four files'
// LFS batches come while the first 2 MiB PUT is still on the wire.
t.test("a loop claims past two batches while few files wait for a slot", async (t) => {
  const h = await startHarness({
    emulator: { multipartThresholdBytes: 64 * MiB, link: "conn=1M" },
    tuning: { uploadLoops: 1, planLoops: 1, preuploadBatch: 1, lfsBatch: 1, streamWindowMs: 60_000 },
    uploadWorkers: 1,
  });
  t.teardown(() => h.close());
  for (const name of ["a", "b", "c", "d"])
    writeFileSync(path.join(h.folder, `${name}.bin`), randomBytes(2 * MiB));
  const job = h.add("user/claim-more", { transfer: "lfs" });
  const settled = await h.engine.whenSettled(job.id);
  t.equal(settled.state, "done", "the job finished");
  const lines = readAccessLog(h.accessLog);
  const batches = lines
    .filter((l) => l.route === "lfs-batch")
    .map((l) => Date.parse(l.time))
    .sort((a, b) => a - b);
  const firstPutEnd = Math.min(...lines.filter((l) => l.route === "lfs-put").map((l) => Date.parse(l.time)));
  t.equal(batches.length, 4, "one LFS batch call per file");
  const last = batches[3] ?? Number.POSITIVE_INFINITY;
  t.ok(
    last < firstPutEnd - 500,
    `the fourth LFS batch answered ${firstPutEnd - last} ms before the first PUT ended (> 500)`,
  );
});
