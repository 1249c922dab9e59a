import { writeFileSync } from "node:fs";
import path from "node:path";
import t from "tap";
import { READ_TOKEN, startHarness, WRITE_TOKEN } from "../helpers/engine-harness.js";
import { writeTree } from "../helpers/folder-tree.js";
import { downloadRemoteFile, listRemoteFiles } from "../helpers/remote-repo.js";

t.test("a bad token blocks the job after one attempt, with a message that says what to do", async (t) => {
  const h = await startHarness();
  t.teardown(() => h.close());
  writeTree(h.folder, { "a.txt": "a" });
  h.token = "hf_not_a_known_token";
  const job = h.add("user/badtoken");
  const settled = await h.engine.whenSettled(job.id);
  t.equal(settled.state, "blocked");
  t.equal(settled.blocked?.code, "ERR_HUB_UNAUTHORIZED");
  t.match(settled.blocked?.message ?? "", /token/i);
  t.notMatch(settled.blocked?.message ?? "", /hf_not_a_known_token/, "the token is not in the message");
  t.equal(
    h.requests().filter((r) => r.status === 401).length,
    1,
    "exactly one refused request, no retry loop",
  );

  h.token = WRITE_TOKEN;
  const retried = h.engine.retry(job.id);
  t.equal(retried.state, "active");
  t.equal((await h.engine.whenSettled(job.id)).state, "done", "retry with a fixed token completes");
});

t.test("a read-only token blocks with ERR_HUB_FORBIDDEN", async (t) => {
  const h = await startHarness();
  t.teardown(() => h.close());
  writeTree(h.folder, { "a.txt": "a" });
  // The repo exists (made with the write token); the read token may not write to it.
  h.add("user/readonly");
  await h.engine.whenSettled(h.journal.jobs.list()[0]?.id ?? 0);
  writeFileSync(path.join(h.folder, "b.txt"), "b");
  h.token = READ_TOKEN;
  const job = h.add("user/readonly");
  const settled = await h.engine.whenSettled(job.id);
  t.equal(settled.state, "blocked");
  t.equal(settled.blocked?.code, "ERR_HUB_FORBIDDEN");
});

t.test("a repo in another user's namespace that cannot be created blocks the job", async (t) => {
  const h = await startHarness();
  t.teardown(() => h.close());
  writeTree(h.folder, { "a.txt": "a" });
  const job = h.add("alice/not-mine");
  const settled = await h.engine.whenSettled(job.id);
  t.equal(settled.state, "blocked");
  t.match(settled.blocked?.code ?? "", /ERR_HUB_(FORBIDDEN|REPO_NOT_FOUND)/);
});

t.test("a file the Hub refuses fails alone; the others are committed", async (t) => {
  // Regular files up to 1 MiB are planned inline, but the Hub accepts only 256 KiB inline.
  const h = await startHarness({ emulator: { lfsThresholdBytes: 1024 * 1024, regularMaxBytes: 256 * 1024 } });
  t.teardown(() => h.close());
  const files: Record<string, string> = { "too-big.txt": "y".repeat(600 * 1024) };
  for (let i = 0; i < 40; i++) files[`ok-${i}.txt`] = `ok ${i}`;
  writeTree(h.folder, files);
  const job = h.add("user/refused");
  const settled = await h.engine.whenSettled(job.id);
  t.equal(settled.state, "done");
  const failed = h.journal.files.list(job.id, { state: "failed" });
  t.same(
    failed.map((f) => f.path),
    ["too-big.txt"],
  );
  t.match(failed[0]?.lastError?.code ?? "", /ERR_HUB_BAD_REQUEST|ERR_HUB_PAYLOAD_TOO_LARGE/);
  const remote = await listRemoteFiles({ endpoint: h.emulator.url, id: "user/refused", token: WRITE_TOKEN });
  t.equal(
    [...remote.keys()].filter((p) => p.startsWith("ok-")).length,
    40,
    "the other 40 files are committed",
  );
  t.notOk(remote.has("too-big.txt"));
});

t.test("files changed or deleted while waiting to be committed: nothing stale is committed", async (t) => {
  const h = await startHarness();
  t.teardown(() => h.close());
  writeTree(h.folder, {
    "keep.txt": "keep",
    "change.txt": "old",
    "gone.txt": "bye",
    "w.bin": Buffer.alloc(2000, 1),
  });
  // Commits fail with 503 until the faults are cleared: files wait in `uploaded`.
  h.emulator.setFaults("route=commit,kind=status,status=503");
  const job = h.add("user/stale");
  for (let i = 0; i < 400 && h.journal.jobs.counts(job.id).byState.uploaded.files < 4; i++) {
    await new Promise((r) => setTimeout(r, 25));
  }
  t.equal(h.journal.jobs.counts(job.id).byState.uploaded.files, 4, "all four files wait for the commit");
  // Pause, so that no commit attempt is in flight while the files change (what a commit already
  // read before a change is a different case, covered by the post-commit re-check).
  h.engine.pause(job.id);
  for (let i = 0; i < 400 && h.engine.progress(job.id).running; i++)
    await new Promise((r) => setTimeout(r, 25));
  t.notOk(h.engine.progress(job.id).running, "the paused job stopped");
  // Each refused try spends one of the repo's ~100 commits per hour: they must be backed off, not
  // sent in a loop (which emptied the budget in half a second and held the paused job for 36 s).
  const refused = h.requests().filter((r) => r.route === "commit" && r.fault !== null).length;
  t.ok(refused >= 1 && refused < 30, `the failing commit was retried with a backoff (${refused} tries)`);
  writeFileSync(path.join(h.folder, "change.txt"), "new content");
  writeFileSync(path.join(h.folder, "w.bin"), Buffer.alloc(2000, 2));
  const { rmSync } = await import("node:fs");
  rmSync(path.join(h.folder, "gone.txt"));
  h.emulator.setFaults("");
  h.engine.resume(job.id);
  const settled = await h.engine.whenSettled(job.id);
  t.equal(settled.state, "done");
  const repo = { endpoint: h.emulator.url, id: "user/stale", token: WRITE_TOKEN };
  t.equal(
    (await downloadRemoteFile(repo, "change.txt")).toString(),
    "new content",
    "the new content, not the old",
  );
  t.ok((await downloadRemoteFile(repo, "w.bin")).equals(Buffer.alloc(2000, 2)), "the LFS file's new content");
  const remote = await listRemoteFiles(repo);
  t.notOk(remote.has("gone.txt"), "the deleted file was not committed");
  t.equal(h.journal.files.find(job.id, "gone.txt")?.state, "vanished");
});
