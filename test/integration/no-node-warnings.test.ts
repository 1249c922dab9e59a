import { writeFileSync } from "node:fs";
import path from "node:path";
import t from "tap";
import { startHarness } from "../helpers/engine-harness.js";

// Issue 12 §10: a 50,000-file upload printed "MaxListenersExceededWarning … 11 abort listeners added
// to [AbortSignal]": every hash task, wait and Hub call of a job put its own listener on the job's
// signal. Many at once (8 hashing threads → 16 tasks in flight) must leave no warning.
t.test("a busy upload adds no pile of abort listeners to the job's signal", async (t) => {
  const warnings: string[] = [];
  const onWarning = (w: Error): void => {
    warnings.push(`${w.name}: ${w.message}`);
  };
  process.on("warning", onWarning);
  t.teardown(() => {
    process.off("warning", onWarning);
  });
  const h = await startHarness({ hashWorkers: 8, tuning: { uploadLoops: 4, planLoops: 4 } });
  t.teardown(() => h.close());
  for (let i = 0; i < 600; i++) writeFileSync(path.join(h.folder, `f-${i}.txt`), `file ${i}\n`.repeat(50));
  for (let i = 0; i < 12; i++) writeFileSync(path.join(h.folder, `w-${i}.bin`), Buffer.alloc(64 * 1024, i));
  const job = h.add("user/many");
  t.equal((await h.engine.whenSettled(job.id)).state, "done");
  await new Promise((resolve) => setImmediate(resolve));
  t.same(warnings, [], "no Node warning was emitted");
});
