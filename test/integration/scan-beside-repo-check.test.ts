import t from "tap";
import type { Harness } from "../helpers/engine-harness.js";
import { READ_TOKEN, startHarness, WRITE_TOKEN } from "../helpers/engine-harness.js";
import { writeTree } from "../helpers/folder-tree.js";
import { listRemoteFiles } from "../helpers/remote-repo.js";

// Issue 16 (restart fixed cost): the first walk of a job runs while ensure-repo waits on the Hub,
// instead of after it, and so does hashing (W1). These pin what that must not change: the stages
// that talk to the Hub still wait for the repo,
// and a repo check that fails still blocks the job cleanly with the walk's rows kept.

const FILES = 40;
/**
 * create-repo answers this late: long enough that a walk of FILES files, and their hashing (the
 * threads start first), end well before it, also on a loaded machine.
 */
const LATENCY_MS = 5_000;

const tree = (): Record<string, string> =>
  Object.fromEntries(Array.from({ length: FILES }, (_, i) => [`d${i % 4}/f${i}.txt`, `content ${i}`]));

const filesKnown = (h: Harness, jobId: number): number =>
  Object.values(h.journal.jobs.counts(jobId).byState).reduce((sum, c) => sum + c.files, 0);

t.test("the first walk runs while create-repo is still unanswered; the upload then completes", async (t) => {
  const h = await startHarness();
  t.teardown(() => h.close());
  writeTree(h.folder, tree());
  h.emulator.setFaults(`route=create-repo,kind=latency,ms=${LATENCY_MS}`);
  const started = Date.now();
  const job = h.add("user/overlap");
  while (filesKnown(h, job.id) < FILES && Date.now() - started < LATENCY_MS * 2)
    await new Promise((r) => setTimeout(r, 20));
  const repoAnswers = (): number => h.requests().filter((r) => r.route === "create-repo").length;
  t.equal(filesKnown(h, job.id), FILES, "every file is in the journal");
  t.equal(repoAnswers(), 0, "the walk was done before the Hub answered create-repo");
  // Hashing needs nothing from the Hub either: it runs beside the check too (W1's time to first commit).
  const hashed = (): number => h.journal.jobs.counts(job.id).byState.hashed.files;
  while (hashed() < FILES && Date.now() - started < LATENCY_MS * 2)
    await new Promise((r) => setTimeout(r, 20));
  t.equal(hashed(), FILES, "every file was hashed");
  t.equal(repoAnswers(), 0, "the hashing was done before the Hub answered create-repo");
  t.equal(
    h.requests().filter((r) => r.route !== "create-repo").length,
    0,
    "no stage talked to the Hub before the repo was known to exist",
  );
  const settled = await h.engine.whenSettled(job.id);
  t.equal(settled.state, "done");
  const remote = await listRemoteFiles({ endpoint: h.emulator.url, id: "user/overlap", token: WRITE_TOKEN });
  t.equal([...remote.keys()].filter((p) => p.endsWith(".txt")).length, FILES, "every file was committed");
});

t.test("a repo check that fails while the walk runs blocks the job; nothing is sent", async (t) => {
  const h = await startHarness();
  t.teardown(() => h.close());
  writeTree(h.folder, tree());
  h.emulator.setFaults(`route=create-repo,kind=latency,ms=${LATENCY_MS}`);
  // A read token may not create the repo, and the repo does not exist: ensure-repo blocks.
  h.token = READ_TOKEN;
  const job = h.add("user/missing");
  const settled = await h.engine.whenSettled(job.id);
  t.equal(settled.state, "blocked");
  t.match(settled.blocked?.code ?? "", /^ERR_/);
  t.equal(filesKnown(h, job.id), FILES, "the walk that ran beside the check kept its rows");
  t.same(
    h
      .requests()
      .map((r) => r.route)
      .filter((r) => !["create-repo", "repo-info"].includes(r)),
    [],
    "no upload or commit request",
  );
});
