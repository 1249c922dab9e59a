import { createHash, randomBytes } from "node:crypto";
import { appendFileSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import t from "tap";
import { downloadRemoteFile, listRemoteCommits } from "../helpers/remote-repo.js";
import { waitFor } from "./fixtures/daemon-home.js";
import { startWatchDaemon } from "./fixtures/watch-daemon.js";

// --every 0.05 = a scheduled commit at most every 3 s; the hourly rescan is pushed out of the way,
// so what arrives here arrives through folder events.
const EVERY = ["--every", "0.05"];

t.test("files appended over time arrive within two scheduled commits", async (t) => {
  const w = await startWatchDaemon(t);
  const folder = w.folder("logs");
  writeFileSync(path.join(folder, "run-0.log"), "first\n");
  const id = await w.add(folder, "user/logs", EVERY);
  await w.remoteUntil("the first file", "user/logs", (f) => f.has("run-0.log"));
  const before = (await listRemoteCommits(w.repo("user/logs"))).length;

  for (let burst = 1; burst <= 3; burst++) {
    for (let i = 0; i < 5; i++)
      writeFileSync(path.join(folder, `run-${burst}-${i}.log`), `burst ${burst} file ${i}\n`);
    await sleep(300);
  }
  await w.remoteUntil("all 16 files", "user/logs", (f) => f.size === 16);
  const after = (await listRemoteCommits(w.repo("user/logs"))).length;
  t.ok(
    after - before >= 1 && after - before <= 2,
    `the new files took ${after - before} commit(s) (at most 2)`,
  );
  t.equal((await downloadRemoteFile(w.repo("user/logs"), "run-3-4.log")).toString(), "burst 3 file 4\n");

  const job = await w.job(id);
  t.equal(job.state, "active", "a watch job stays active");
  t.equal(job.watch?.watcher, "events", "changes come from folder events");
  t.not(job.watch?.lastScanAt, null, "the last scan is shown");
  t.not(job.watch?.nextCommitAt, null, "the next scheduled commit is shown");
  t.not(job.watch?.nextRescanAt, null, "the next full rescan is shown");
  const status = await w.h.cli(["status", String(id)], w.env);
  t.match(
    status.stdout,
    /watch: events · last scan .* · next commit .* · next rescan in/,
    "status prints the watch state",
  );
});

t.test("a file written slowly in pieces is committed once, complete", async (t) => {
  const w = await startWatchDaemon(t, { watchStableMs: 800 });
  const folder = w.folder("ckpt");
  writeFileSync(path.join(folder, "README.md"), "checkpoints\n");
  const id = await w.add(folder, "user/ckpt", EVERY);
  await w.remoteUntil("the README", "user/ckpt", (f) => f.has("README.md"));

  const file = path.join(folder, "model.bin");
  const piece = Buffer.alloc(64 * 1024, 7);
  writeFileSync(file, piece);
  for (let i = 1; i < 12; i++) {
    await sleep(250);
    appendFileSync(file, piece);
  }
  const size = 12 * piece.length;
  await w.remoteUntil("the complete file", "user/ckpt", (f) => f.get("model.bin")?.size === size);
  t.same(await downloadRemoteFile(w.repo("user/ckpt"), "model.bin"), readFileSync(file), "byte-identical");

  // No commit ever held a partial model.bin.
  for (const commit of await listRemoteCommits(w.repo("user/ckpt"))) {
    const tree = await w.remoteFiles("user/ckpt", commit.id);
    const entry = tree.get("model.bin");
    if (entry !== undefined)
      t.equal(entry.size, size, `commit ${commit.id.slice(0, 8)} holds the complete file`);
  }
  const job = await w.job(id);
  t.equal(job.files.committed.files, 2);
  t.equal(job.bytesHashed, size + Buffer.byteLength("checkpoints\n"), "each file was hashed once, complete");
});

t.test(
  "a file rewritten while it is being uploaded: that upload is abandoned, only the new content is committed",
  async (t) => {
    const w = await startWatchDaemon(t);
    const folder = w.folder("models");
    const id = await w.add(folder, "user/models", EVERY);
    // 1 MB/s: the 3 MiB LFS upload takes about 3 s, long enough to rewrite the file under it.
    await w.h.client.request("POST", "/v1/settings/update", { maxRateBytesPerSec: 1_000_000 });
    const file = path.join(folder, "weights.bin");
    const first = randomBytes(3 * 1024 * 1024);
    writeFileSync(file, first);
    await waitFor("the upload to start", async () =>
      (await w.job(id)).files.planned.files === 1 ? true : undefined,
    );
    await sleep(500);
    const second = randomBytes(3 * 1024 * 1024);
    writeFileSync(file, second);
    await w.h.client.request("POST", "/v1/settings/update", { maxRateBytesPerSec: null });

    const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");
    await w.remoteUntil(
      "the new content",
      "user/models",
      (f) => f.get("weights.bin")?.lfs?.oid === sha(second),
    );
    t.same(
      await downloadRemoteFile(w.repo("user/models"), "weights.bin"),
      second,
      "byte-identical to the rewrite",
    );
    for (const commit of await listRemoteCommits(w.repo("user/models"))) {
      const entry = (await w.remoteFiles("user/models", commit.id)).get("weights.bin");
      if (entry !== undefined)
        t.equal(entry.lfs?.oid, sha(second), `commit ${commit.id.slice(0, 8)} never held the old content`);
    }
  },
);

t.test("--mirror-deletes mirrors deletions; without it nothing is deleted remotely", async (t) => {
  const w = await startWatchDaemon(t);
  const mirrored = w.folder("mirrored");
  const kept = w.folder("kept");
  for (const dir of [mirrored, kept])
    for (const n of ["a", "b", "c"]) writeFileSync(path.join(dir, `${n}.txt`), n);
  const mirrorId = await w.add(mirrored, "user/mirrored", [...EVERY, "--mirror-deletes"]);
  await w.add(kept, "user/kept", EVERY);
  await w.remoteUntil("mirrored files", "user/mirrored", (f) => f.size === 3);
  await w.remoteUntil("kept files", "user/kept", (f) => f.size === 3);

  for (const dir of [mirrored, kept]) {
    unlinkSync(path.join(dir, "b.txt"));
    writeFileSync(path.join(dir, "d.txt"), "d");
  }
  const after = await w.remoteUntil(
    "b deleted and d added",
    "user/mirrored",
    (f) => !f.has("b.txt") && f.has("d.txt"),
  );
  t.same([...after.keys()].sort(), ["a.txt", "c.txt", "d.txt"], "--mirror-deletes: b.txt is gone remotely");
  const keptFiles = await w.remoteUntil("d added", "user/kept", (f) => f.has("d.txt"));
  t.same(
    [...keptFiles.keys()].sort(),
    ["a.txt", "b.txt", "c.txt", "d.txt"],
    "without --mirror-deletes: b.txt stays",
  );
  const job = await waitFor("the deletion to be settled", async () => {
    const j = await w.job(mirrorId);
    return j.watch?.deletedFiles === 1 && j.watch.pendingDeletions === 0 ? j : undefined;
  });
  t.equal(job.files.vanished.files, 1, "the deleted file is vanished locally");

  // A deleted file that comes back is uploaded again.
  writeFileSync(path.join(mirrored, "b.txt"), "b again");
  await w.remoteUntil("b back", "user/mirrored", (f) => f.has("b.txt"));
  t.equal((await downloadRemoteFile(w.repo("user/mirrored"), "b.txt")).toString(), "b again");
});

t.test("changes made while the daemon was down are uploaded after it restarts", async (t) => {
  const w = await startWatchDaemon(t);
  const folder = w.folder("data");
  writeFileSync(path.join(folder, "one.txt"), "one");
  const id = await w.add(folder, "user/down", EVERY);
  await w.remoteUntil("one", "user/down", (f) => f.has("one.txt"));
  const stopped = await w.h.cli(["daemon", "stop"], w.env);
  t.equal(stopped.code, 0, "daemon stopped");

  writeFileSync(path.join(folder, "one.txt"), "one, changed while down");
  writeFileSync(path.join(folder, "two.txt"), "two, added while down");
  await w.startDaemon();
  await w.remoteUntil("both changes", "user/down", (f) => f.has("two.txt") && f.get("one.txt")?.size === 23);
  t.equal((await downloadRemoteFile(w.repo("user/down"), "one.txt")).toString(), "one, changed while down");
  t.equal((await w.job(id)).state, "active");
});

t.test("the watched folder removed: the job is paused, nothing is deleted, resume continues", async (t) => {
  const w = await startWatchDaemon(t);
  const folder = w.folder("disk");
  for (const n of ["x", "y"]) writeFileSync(path.join(folder, `${n}.txt`), n);
  // The old spelling (--delete with --watch) still means --mirror-deletes.
  const id = await w.add(folder, "user/disk", [...EVERY, "--delete"]);
  await w.remoteUntil("x and y", "user/disk", (f) => f.size === 2);

  rmSync(folder, { recursive: true });
  const paused = await waitFor("the job to pause", async () => {
    const j = await w.job(id);
    return j.state === "paused" ? j : undefined;
  });
  t.equal(paused.lastError?.code, "ERR_FOLDER_NOT_FOUND");
  t.match(paused.lastError?.message, /paused and nothing was deleted.*`hubpush resume 1`/);
  await sleep(1_000);
  t.same([...(await w.remoteFiles("user/disk")).keys()].sort(), ["x.txt", "y.txt"], "nothing deleted");

  // The "disk" comes back empty (a mount point without its disk): still nothing is deleted.
  w.folder("disk");
  await w.h.cli(["resume", String(id)], w.env);
  const emptied = await waitFor("the job to pause again", async () => {
    const j = await w.job(id);
    return j.state === "paused" && j.lastError?.code === "ERR_FOLDER_EMPTIED" ? j : undefined;
  });
  t.match(emptied.lastError?.message, /is empty, but 2 files were uploaded from it/);
  t.equal((await w.remoteFiles("user/disk")).size, 2, "an empty mount point deletes nothing");

  for (const n of ["x", "y", "z"]) writeFileSync(path.join(folder, `${n}.txt`), n);
  const resumed = await w.h.cli(["resume", String(id)], w.env);
  t.equal(resumed.code, 0, "resume");
  await w.remoteUntil("z", "user/disk", (f) => f.has("z.txt") && f.size === 3);
  t.equal((await w.job(id)).state, "active");
});
