import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import path from "node:path";
import t from "tap";
import { readAccessLog } from "../helpers/access-log.js";
import { startHarness } from "../helpers/engine-harness.js";

// An upload loop claims its next batch while the last one is still in transfer, when a connection
// is free (core/stages/upload-stage.ts): one loop, one file per batch and two connections over a
// link that caps each at 2 MB/s, so each 3 MiB PUT takes ~1.5 s. Waiting for a batch to end
// before claiming the next would send the two files one after the other, never side by side.
const MiB = 1024 * 1024;

t.test("one loop keeps two batches in transfer when a connection is free", async (t) => {
  const h = await startHarness({
    emulator: { multipartThresholdBytes: 64 * MiB, link: "conn=2M" },
    tuning: { uploadLoops: 1, lfsBatch: 1, streamWindowMs: 60_000 },
    uploadWorkers: 2,
  });
  t.teardown(() => h.close());
  writeFileSync(path.join(h.folder, "a.bin"), randomBytes(3 * MiB));
  writeFileSync(path.join(h.folder, "b.bin"), randomBytes(3 * MiB));
  const job = h.add("user/overlap", { transfer: "lfs" });
  const settled = await h.engine.whenSettled(job.id);
  t.equal(settled.state, "done", "the job finished");

  const puts = readAccessLog(h.accessLog).filter((l) => l.route === "lfs-put");
  t.equal(puts.length, 2, "two PUTs, one per file");
  const spans = puts.map((l) => ({ end: Date.parse(l.time), start: Date.parse(l.time) - l.durationMs }));
  const [a, b] = spans;
  if (a === undefined || b === undefined) throw new Error("missing PUTs");
  const overlapMs = Math.min(a.end, b.end) - Math.max(a.start, b.start);
  t.ok(overlapMs > 500, `the two files' PUTs overlapped by ${overlapMs.toFixed(0)} ms (> 500)`);
});
