import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, renameSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import t from "tap";
import { startHarness } from "../helpers/engine-harness.js";
import { writeTree } from "../helpers/folder-tree.js";
import { committedPaths, skippedEvents, statesOf } from "./harness-probes.js";
import { giveToNobody, runCliAsNobody, whyNoPermissionCases } from "./run-cli-as-nobody.js";
import { startUploadEnv, WRITE } from "./upload-env.js";

// The folder and the entries in it: what cannot be uploaded is named with a code and a reason,
// and everything else still reaches the Hub.

t.test("a missing folder: exit 3 naming the path, before anything is recorded", async (t) => {
  const u = await startUploadEnv();
  t.teardown(() => u.close());
  const missing = path.join(u.root, "no-such-folder");
  const env = u.env({ HF_TOKEN: WRITE });
  const result = await u.upload(missing, "user/missing", env);
  t.equal(result.code, 3, result.stderr);
  t.equal(
    result.stderr,
    `hubpush: ${missing} does not exist: check the path of the folder or file to upload (ERR_FOLDER_NOT_FOUND)\n`,
  );
  t.notOk(existsSync(path.join(String(env.HUBPUSH_HOME), "journal.sqlite")), "no journal was written");
});

t.test(
  "a folder that disappears after a finished job: blocked, nothing marked vanished or deleted",
  async (t) => {
    const h = await startHarness();
    t.teardown(() => h.close());
    writeTree(h.folder, { "a.txt": "a", "b/c.txt": "c" });
    const job = h.add("user/gone-folder");
    t.equal((await h.engine.whenSettled(job.id)).state, "done");
    const moved = `${h.folder}-moved`;
    renameSync(h.folder, moved);
    const again = h.engine.retry(job.id);
    t.equal(again.state, "active");
    const settled = await h.engine.whenSettled(job.id);
    t.equal(settled.state, "blocked");
    t.equal(settled.blocked?.code, "ERR_FOLDER_NOT_FOUND");
    t.match(settled.blocked?.message, `folder ${h.folder} does not exist`);
    t.same(statesOf(h, job.id), { "a.txt": "committed", "b/c.txt": "committed" }, "the journal keeps them");
    t.same(await committedPaths(h, "user/gone-folder"), ["a.txt", "b/c.txt"], "nothing deleted remotely");
    renameSync(moved, h.folder);
    h.engine.retry(job.id);
    t.equal((await h.engine.whenSettled(job.id)).state, "done", "back again: the job finishes");
  },
);

t.test("permissions (as uid nobody when root)", async (t) => {
  const why = await whyNoPermissionCases();
  if (why !== null) {
    t.pass("permission cases", { skip: why });
    return;
  }
  const u = await startUploadEnv();
  t.teardown(() => u.close());

  await t.test("an unreadable folder: exit 3, says which permission to grant", async (t) => {
    const folder = u.folder("locked");
    writeTree(folder, { "a.txt": "a" });
    giveToNobody(u.root);
    chmodSync(folder, 0o000);
    t.teardown(() => chmodSync(folder, 0o755));
    const result = await runCliAsNobody(
      ["upload", folder, "--repo", "user/locked", "--endpoint", u.emulator.url],
      u.env({ HF_TOKEN: WRITE }),
    );
    t.equal(result.code, 3, result.stderr);
    t.match(result.stderr, `cannot read folder ${folder}`);
    t.match(result.stderr, /chmod u\+rx|permission/);
    t.match(result.stderr, "(ERR_FOLDER_UNREADABLE)");
    t.same(await u.remotePaths("user/locked").catch(() => []), [], "nothing committed");
  });

  await t.test(
    "an unreadable file: listed with ERR_FILE_UNREADABLE, the rest committed, retry finishes",
    async (t) => {
      const folder = u.folder("one-locked");
      writeTree(folder, { "ok-1.txt": "1", "ok-2.txt": "2", "secret.txt": "s" });
      giveToNobody(u.root);
      chmodSync(path.join(folder, "secret.txt"), 0o000);
      const env = u.env({ HF_TOKEN: WRITE });
      const args = ["upload", folder, "--repo", "user/one-locked", "--endpoint", u.emulator.url];
      const result = await runCliAsNobody(args, env);
      t.equal(result.code, 1, result.stderr);
      t.match(result.stdout, /^ {4}secret\.txt: .*permission.*\(ERR_FILE_UNREADABLE\)$/m);
      t.match(result.stderr, "1 file could not be uploaded, listed above (ERR_JOB_FAILED)");
      t.same(await u.remotePaths("user/one-locked"), ["ok-1.txt", "ok-2.txt"], "the others are committed");
      chmodSync(path.join(folder, "secret.txt"), 0o644);
      const again = await runCliAsNobody(args, env);
      t.equal(again.code, 0, again.stderr);
      t.same(await u.remotePaths("user/one-locked"), ["ok-1.txt", "ok-2.txt", "secret.txt"]);
    },
  );
});

t.test("symlinks that loop, dangle or escape, a FIFO and a socket are skipped with a reason", async (t) => {
  const h = await startHarness();
  t.teardown(() => h.close());
  writeTree(h.root, { "outside/secret.txt": "never upload me" });
  writeTree(h.folder, { "a.txt": "a", "real/b.txt": "b" });
  symlinkSync("loop-b", path.join(h.folder, "loop-a"));
  symlinkSync("loop-a", path.join(h.folder, "loop-b"));
  symlinkSync("missing.txt", path.join(h.folder, "dangling"));
  symlinkSync("../outside/secret.txt", path.join(h.folder, "escape-rel"));
  symlinkSync(path.join(h.root, "outside"), path.join(h.folder, "escape-dir"));
  symlinkSync("real/b.txt", path.join(h.folder, "inside-link.txt"));
  execFileSync("mkfifo", [path.join(h.folder, "pipe")]);
  const socketPath = path.join(h.folder, "s.sock");
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const job = h.add("user/special");
  const settled = await h.engine.whenSettled(job.id);
  t.equal(settled.state, "done", "the job is not held up by them (a FIFO is never opened)");
  t.same(
    await committedPaths(h, "user/special"),
    ["a.txt", "inside-link.txt", "real/b.txt"],
    "regular files and a link inside the folder are committed",
  );
  const skipped = skippedEvents(h, job.id);
  const codes = Object.fromEntries([...skipped].map(([p, s]) => [p, s.code]));
  t.same(codes, {
    "loop-a": "ERR_SYMLINK_LOOP",
    "loop-b": "ERR_SYMLINK_LOOP",
    dangling: "ERR_SYMLINK_LOOP",
    "escape-rel": "ERR_SYMLINK_ESCAPES",
    "escape-dir": "ERR_SYMLINK_ESCAPES",
    pipe: "ERR_FILE_NOT_REGULAR",
    "s.sock": "ERR_FILE_NOT_REGULAR",
  });
  t.match(skipped.get("loop-a")?.reason, /loops.*fix or remove it/);
  t.match(skipped.get("escape-rel")?.reason, path.join(h.root, "outside", "secret.txt"));
  t.match(skipped.get("escape-rel")?.reason, "copy the file into the folder");
  t.match(skipped.get("pipe")?.reason, /FIFO/);
  t.match(skipped.get("s.sock")?.reason, /socket/);
  t.notOk(
    h.requests().some((r) => r.route === "lfs-put"),
    "the escaping target was not sent anywhere",
  );
});

t.test("hubpush upload names the entries it skipped on stderr; the exit code stays 0", async (t) => {
  const u = await startUploadEnv();
  t.teardown(() => u.close());
  const folder = u.folder("special");
  writeTree(folder, { "a.txt": "a" });
  execFileSync("mkfifo", [path.join(folder, "pipe")]);
  writeFileSync(path.join(u.root, "outside.txt"), "o");
  symlinkSync("../outside.txt", path.join(folder, "escape"));
  const result = await u.upload(folder, "user/special-cli", u.env({ HF_TOKEN: WRITE }));
  t.equal(result.code, 0, result.stderr);
  t.same(await u.remotePaths("user/special-cli"), ["a.txt"]);
  t.match(result.stderr, /^hubpush: 2 entries of the folder not uploaded; exclude them with --exclude/m);
  t.match(result.stderr, /^ {4}pipe: a FIFO \(named pipe\) is not a regular file \(ERR_FILE_NOT_REGULAR\)$/m);
  t.match(result.stderr, /^ {4}escape: the symlink points outside the folder .*\(ERR_SYMLINK_ESCAPES\)$/m);
});
