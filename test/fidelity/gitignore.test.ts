import { writeFileSync } from "node:fs";
import path from "node:path";
import t from "tap";
import { startHarness, WRITE_TOKEN } from "../helpers/engine-harness.js";
import { listRemoteFiles } from "../helpers/remote-repo.js";
import { startRecordingProxy } from "./recording-proxy.js";

// Issue 12 §3: the local root .gitignore filters the scan; it is sent as the preupload `gitIgnore`
// only when the job uploads it to the repo root, as the official clients do.

t.test("--path-in-repo sub: the local .gitignore is not applied at the repo root", async (t) => {
  const h = await startHarness();
  t.teardown(() => h.close());
  // "sub/" locally means a folder named sub (there is none); at the repo root it would ignore
  // everything under --path-in-repo sub.
  writeFileSync(path.join(h.folder, ".gitignore"), "sub/\n*.log\n");
  writeFileSync(path.join(h.folder, "a.txt"), "a\n");
  writeFileSync(path.join(h.folder, "b.log"), "left out locally\n");
  const repo = "user/gi-sub";
  const proxy = await startRecordingProxy(h.emulator.url, repo);
  t.teardown(() => proxy.close());
  const job = h.add(repo, { endpoint: proxy.url, pathInRepo: "sub" });
  t.equal((await h.engine.whenSettled(job.id)).state, "done");
  const remote = await listRemoteFiles({ endpoint: h.emulator.url, id: repo, token: WRITE_TOKEN });
  t.same(
    [...remote.keys()].sort(),
    [".gitattributes", "sub/.gitignore", "sub/a.txt"],
    "every file the Hub's rules keep arrived; the local .gitignore still left b.log out",
  );
  const preuploads = proxy.calls.filter((c) => c.route.startsWith("POST /api/models/{repo}/preupload/"));
  t.ok(preuploads.length > 0, "preupload was called");
  for (const call of preuploads) t.notOk(call.keys?.includes("gitIgnore"), "no gitIgnore key");
});

t.test("a root upload sends its .gitignore's content; without it the repo's own applies", async (t) => {
  const h = await startHarness();
  t.teardown(() => h.close());
  writeFileSync(path.join(h.folder, ".gitignore"), "*.md\n");
  writeFileSync(path.join(h.folder, "a.txt"), "a\n");
  const repo = "user/gi-root";
  const proxy = await startRecordingProxy(h.emulator.url, repo);
  t.teardown(() => proxy.close());
  const first = h.add(repo, { endpoint: proxy.url });
  t.equal((await h.engine.whenSettled(first.id)).state, "done");
  const sent = proxy.calls.filter((c) => c.route.startsWith("POST /api/models/{repo}/preupload/"));
  t.ok(sent.length > 0);
  for (const call of sent) t.equal(call.body?.gitIgnore, "*.md\n", "gitIgnore is the uploaded content");

  // Second job: .gitignore left out with --exclude, so none is sent and the repo's `*.md` applies.
  writeFileSync(path.join(h.folder, ".gitignore"), "");
  writeFileSync(path.join(h.folder, "notes.md"), "kept locally, ignored by the repo\n");
  proxy.calls.length = 0;
  const second = h.add(repo, { endpoint: proxy.url, exclude: [".gitignore"], message: "second" });
  t.equal((await h.engine.whenSettled(second.id)).state, "done");
  for (const call of proxy.calls.filter((c) => c.route.includes("/preupload/"))) {
    t.notOk(call.keys?.includes("gitIgnore"), "not uploaded: no gitIgnore");
  }
  const remote = await listRemoteFiles({ endpoint: h.emulator.url, id: repo, token: WRITE_TOKEN });
  t.notOk(remote.has("notes.md"), "the Hub's .gitignore (*.md) applied");
  t.equal(h.journal.files.find(second.id, "notes.md")?.state, "ignored", "journal: ignored by the Hub");
});
