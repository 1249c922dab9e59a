import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import t, { type Test } from "tap";
import type { Harness } from "../helpers/engine-harness.js";
import { READ_TOKEN, startHarness, WRITE_TOKEN } from "../helpers/engine-harness.js";
import { writeTree } from "../helpers/folder-tree.js";
import { listRemoteFiles } from "../helpers/remote-repo.js";

// Issue 16 item 2: a job whose files were all settled asks the Hub nothing on a restart until its
// walk finds work (job-runner.ts). These pin both sides: nothing to do → done, no request at all;
// a changed, an added or a vanished-and-deleted file → the repo check and the stages run as before.

const FILES = 30;

const tree = (): Record<string, string> =>
  Object.fromEntries(Array.from({ length: FILES }, (_, i) => [`d${i % 3}/f${i}.txt`, `content ${i}`]));

async function uploadedOnce(t: Test, repo: string, extra: Record<string, unknown> = {}) {
  const h = await startHarness();
  t.teardown(() => h.close());
  writeTree(h.folder, tree());
  const first = await h.engine.whenSettled(h.add(repo, extra).id);
  t.equal(first.state, "done", "the first upload completes");
  await h.restart();
  return { h, requestsBefore: h.requests().length };
}

const routesSince = (h: Harness, from: number): string[] =>
  h
    .requests()
    .slice(from)
    .map((r) => r.route);

t.test("a restart that finds nothing to do is done without a single Hub request", async (t) => {
  const { h, requestsBefore } = await uploadedOnce(t, "user/idle");
  // A token the Hub would refuse: asking it would block the job.
  h.token = READ_TOKEN;
  const again = await h.engine.whenSettled(h.add("user/idle").id);
  t.equal(again.state, "done");
  t.same(routesSince(h, requestsBefore), [], "no request: no create-repo, no commit");
});

t.test("a restart that finds a changed and an added file checks the repo and commits them", async (t) => {
  const { h, requestsBefore } = await uploadedOnce(t, "user/changed");
  writeFileSync(path.join(h.folder, "d0/f0.txt"), "changed content, longer than before");
  writeFileSync(path.join(h.folder, "d1/new.txt"), "a new file");
  const again = await h.engine.whenSettled(h.add("user/changed").id);
  t.equal(again.state, "done");
  const routes = routesSince(h, requestsBefore);
  t.equal(routes[0], "create-repo", "the repo is checked before anything else");
  t.ok(routes.includes("commit"), "the changes were committed");
  const remote = await listRemoteFiles({ endpoint: h.emulator.url, id: "user/changed", token: WRITE_TOKEN });
  t.ok(remote.has("d1/new.txt"), "the added file is on the Hub");
});

t.test("a changed file with a token the Hub refuses blocks the job, as before", async (t) => {
  const { h } = await uploadedOnce(t, "user/refused");
  writeFileSync(path.join(h.folder, "d2/f2.txt"), "changed");
  h.token = "hf_not_a_token";
  const again = await h.engine.whenSettled(h.add("user/refused").id);
  t.equal(again.state, "blocked", "the repo check ran and refused");
});

t.test("with --delete, a vanished file is deleted from the Hub on restart", async (t) => {
  const { h, requestsBefore } = await uploadedOnce(t, "user/mirror", { mirrorDeletes: true });
  rmSync(path.join(h.folder, "d0/f3.txt"));
  const again = await h.engine.whenSettled(h.add("user/mirror", { mirrorDeletes: true }).id);
  t.equal(again.state, "done");
  t.ok(routesSince(h, requestsBefore).includes("commit"), "a commit deleted it");
  const remote = await listRemoteFiles({ endpoint: h.emulator.url, id: "user/mirror", token: WRITE_TOKEN });
  t.notOk(remote.has("d0/f3.txt"), "the vanished file is gone from the Hub");
  t.ok(remote.has("d0/f0.txt"), "the others stay");
});
