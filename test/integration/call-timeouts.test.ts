import { writeFileSync } from "node:fs";
import path from "node:path";
import t from "tap";
import { startHarness } from "../helpers/engine-harness.js";

const MiB = 1024 * 1024;

// Issue 12 §6: one headers timeout for every call aborted multipart completions that took the Hub
// longer, retried them and re-read the file each time. The completion has a limit of its own: here
// the light calls' limit is 1 s and the completion answers after 2.5 s: one completion, no re-read.
t.test("a completion slower than the light calls' limit is waited for, once", async (t) => {
  const h = await startHarness({
    emulator: {
      multipartThresholdBytes: 2 * MiB,
      multipartChunkBytes: MiB,
      faults: "route=lfs-complete,kind=latency,ms=2500",
    },
    hub: { headersTimeoutMs: 1_000 },
  });
  t.teardown(() => h.close());
  writeFileSync(path.join(h.folder, "big.bin"), Buffer.alloc(3 * MiB + 5, 7));
  const job = h.add("user/slow-complete", { transfer: "lfs" });
  const settled = await h.engine.whenSettled(job.id);
  t.equal(settled.state, "done", JSON.stringify(settled.lastError));
  const requests = h.requests();
  t.equal(requests.filter((r) => r.route === "lfs-complete").length, 1, "one completion");
  t.equal(requests.filter((r) => r.route === "lfs-part").length, 4, "each of the 4 parts sent once");
  t.equal(h.journal.jobs.get(job.id)?.bytesHashed, 3 * MiB + 5, "hashed once");
});
