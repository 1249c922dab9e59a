import { writeFileSync } from "node:fs";
import path from "node:path";
import t from "tap";
import { startHarness, WRITE_TOKEN } from "../helpers/engine-harness.js";
import { listRemoteFiles } from "../helpers/remote-repo.js";

// Issue 12 §5: a repo renamed on the Hub while a job runs: the job follows the redirect, records
// the new name and finishes there.
t.test("a repo moved mid-job: calls follow it, the job records the new name", async (t) => {
  const h = await startHarness({ emulator: { faults: "route=preupload,kind=latency,ms=1500,count=1" } });
  t.teardown(() => h.close());
  writeFileSync(path.join(h.folder, "a.txt"), "a\n");
  const auth = { authorization: `Bearer ${WRITE_TOKEN}` };
  const job = h.add("user/before");
  // The repo exists once the job created it; the first preupload waits 1.5 s in the emulator.
  for (let i = 0; i < 100; i++) {
    if ((await fetch(`${h.emulator.url}/api/models/user/before`, { headers: auth })).status === 200) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const moved = await fetch(`${h.emulator.url}/api/repos/move`, {
    method: "POST",
    headers: { ...auth, "content-type": "application/json" },
    body: JSON.stringify({ fromRepo: "user/before", toRepo: "user/after", type: "model" }),
  });
  t.equal(moved.status, 200, await moved.text());
  const settled = await h.engine.whenSettled(job.id);
  t.equal(settled.state, "done", JSON.stringify(settled.lastError));
  t.equal(h.journal.jobs.get(job.id)?.movedRepoId, "user/after", "the job records the new name");
  const files = await listRemoteFiles({ endpoint: h.emulator.url, id: "user/after", token: WRITE_TOKEN });
  t.ok(files.has("a.txt"), "the file landed in the moved repo");
  t.ok(
    h.requests().some((r) => r.status === 307),
    "the emulator answered a redirect",
  );
});
