import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import t from "tap";
import { startHarness, WRITE_TOKEN } from "../helpers/engine-harness.js";
import { mixedFolder, readTree } from "../helpers/folder-tree.js";
import { downloadRemoteFile, listRemoteCommits, listRemoteFiles } from "../helpers/remote-repo.js";

const MiB = 1024 * 1024;

t.test(
  "a mixed folder arrives byte-identical, in adaptive batches, and a second run changes nothing",
  async (t) => {
    const h = await startHarness({
      emulator: { multipartThresholdBytes: 2 * MiB, multipartChunkBytes: MiB },
      tuning: { commitSizes: [20, 50, 100, 200, 400], initialCommitSizeIndex: 1 },
    });
    t.teardown(() => h.close());
    mixedFolder(h.folder, {
      small: 1000,
      empty: 5,
      lfs: 3,
      lfsBytes: 300 * 1024,
      multipart: 2,
      multipartBytes: 3 * MiB + 123,
    });
    const job = h.add("user/mixed");
    const settled = await h.engine.whenSettled(job.id);
    t.equal(settled.state, "done", "the job finished");

    const repo = { endpoint: h.emulator.url, id: "user/mixed", token: WRITE_TOKEN };
    const local = readTree(h.folder);
    const remote = await listRemoteFiles(repo);
    for (const [rel, bytes] of local) {
      const entry = remote.get(rel);
      t.ok(entry, `${rel} is in the repo`);
      if (!entry) continue;
      t.equal(entry.size, bytes.length, `${rel} size`);
      if (rel.endsWith(".bin")) t.ok(entry.lfs, `${rel} went through LFS`);
    }
    for (const rel of [
      "weights/w0.bin",
      "big/shard-0.bin",
      "big/shard-1.bin",
      "empty/empty-0.txt",
      "dir-0/sub 0/ünïcødé-0.txt",
    ]) {
      t.ok(
        (await downloadRemoteFile(repo, rel)).equals(local.get(rel) ?? Buffer.alloc(1)),
        `${rel} downloads identical`,
      );
    }
    const gitattributes = (await downloadRemoteFile(repo, ".gitattributes")).toString();
    t.match(gitattributes, /\*\.bin filter=lfs/, ".gitattributes routes *.bin to LFS");

    const commits = h.journal.commits.list(job.id).filter((c) => c.state === "committed");
    const remoteCommits = await listRemoteCommits(repo);
    t.equal(
      remoteCommits.length,
      commits.length + 1,
      "one remote commit per journaled batch, plus the initial commit",
    );
    t.ok(commits.length >= 4, `several batches (${commits.length})`);
    t.ok(
      commits.every((c) => c.fileCount <= 400),
      "no batch over the largest size",
    );
    t.equal(
      commits.reduce((n, c) => n + c.fileCount, 0),
      local.size,
      "every file in exactly one commit",
    );
    t.ok(
      commits.slice(1).every((c) => / \(part \d+\)$/.test(c.message)),
      "later commits say which part they are",
    );
    const counts = h.journal.jobs.counts(job.id).byState;
    t.equal(counts.committed.files, local.size);
    t.same(
      h.journal.files.list(job.id).filter((f) => f.hashCount !== 1),
      [],
      "every file hashed exactly once",
    );

    const before = h.requests().length;
    const again = h.add("user/mixed");
    const second = await h.engine.whenSettled(again.id);
    t.equal(second.state, "done");
    const newRequests = h.requests().slice(before);
    t.equal(
      newRequests.filter((r) => r.route === "commit").length,
      0,
      "the unchanged re-run makes no commit",
    );
    t.equal(
      newRequests.filter((r) => r.route === "lfs-put" || r.route === "lfs-part").length,
      0,
      "and uploads no bytes",
    );
    t.equal((await listRemoteCommits(repo)).length, remoteCommits.length);
  },
);

t.test("changed, added and deleted files after a finished run are uploaded on the next run", async (t) => {
  const h = await startHarness();
  t.teardown(() => h.close());
  mixedFolder(h.folder, { small: 30, empty: 1, lfs: 1, lfsBytes: 50_000, multipart: 0, multipartBytes: 0 });
  const job = h.add("user/rerun");
  t.equal((await h.engine.whenSettled(job.id)).state, "done");
  writeFileSync(path.join(h.folder, "dir-0/sub 1/file-7.txt"), "changed content\n");
  writeFileSync(path.join(h.folder, "new.txt"), "a new file\n");
  rmSync(path.join(h.folder, "dir-1/sub 1/file-1.txt"));
  h.add("user/rerun");
  t.equal((await h.engine.whenSettled(job.id)).state, "done");
  const repo = { endpoint: h.emulator.url, id: "user/rerun", token: WRITE_TOKEN };
  t.equal((await downloadRemoteFile(repo, "dir-0/sub 1/file-7.txt")).toString(), "changed content\n");
  t.equal((await downloadRemoteFile(repo, "new.txt")).toString(), "a new file\n");
  const changed = h.journal.files.find(job.id, "dir-0/sub 1/file-7.txt");
  t.equal(changed?.hashCount, 2, "the changed file was hashed again");
  t.equal(h.journal.files.find(job.id, "dir-1/sub 2/file-8.txt")?.hashCount, 1, "an unchanged one was not");
});
