import { execFileSync } from "node:child_process";
import { chmod, mkdir, rm, stat, symlink, unlink, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import t from "tap";
import { scanFolder } from "../../../core/scan/scan-folder.js";
import { collectScan } from "./collect-scan.js";
import { runScanProcess } from "./run-scan-process.js";

t.test(
  "a symlink to a file inside the folder is a file at the link's path with the target's stat",
  async (t) => {
    const dir = t.testdir({
      data: { "real.bin": "0123456789" },
      "link.bin": t.fixture("symlink", "data/real.bin"),
      "chain.bin": t.fixture("symlink", "link.bin"),
    });
    await symlink(join(dir, "data", "real.bin"), join(dir, "absolute.bin"));
    const { files, skipped } = await collectScan(dir);
    const target = await stat(join(dir, "data", "real.bin"), { bigint: true });
    for (const path of ["link.bin", "chain.bin", "absolute.bin"]) {
      t.same(files.get(path), {
        path,
        size: 10,
        mtimeNs: target.mtimeNs.toString(),
        ctimeNs: target.ctimeNs.toString(),
        inode: target.ino.toString(),
      });
    }
    t.ok(files.has("data/real.bin"));
    t.equal(skipped.size, 0);
  },
);

t.test("symlinks that escape, loop, dangle or point to a directory are reported, not followed", async (t) => {
  const outside = t.testdir({ "secret.txt": "s", inside: { "a.txt": "" }, "outdir-file.txt": "" });
  const folder = join(outside, "inside");
  await symlink(join(outside, "secret.txt"), join(folder, "escape-abs"));
  await symlink("../secret.txt", join(folder, "escape-rel"));
  await symlink("..", join(folder, "parent"));
  await symlink("loop-b", join(folder, "loop-a"));
  await symlink("loop-a", join(folder, "loop-b"));
  await symlink("self", join(folder, "self"));
  await symlink("missing.txt", join(folder, "dangling"));
  await mkdir(join(folder, "real-dir"));
  await writeFile(join(folder, "real-dir", "once.txt"), "");
  await symlink("real-dir", join(folder, "dir-link"));
  await symlink(".", join(folder, "here"));

  const { paths, skipped } = await collectScan(folder);
  t.same(
    paths,
    ["a.txt", "real-dir/once.txt"],
    "files under a linked directory appear once, at their real path",
  );
  const codes = Object.fromEntries([...skipped].map(([path, entry]) => [path, entry.code]));
  t.same(codes, {
    "escape-abs": "ERR_SYMLINK_ESCAPES",
    "escape-rel": "ERR_SYMLINK_ESCAPES",
    parent: "ERR_SYMLINK_ESCAPES",
    "loop-a": "ERR_SYMLINK_LOOP",
    "loop-b": "ERR_SYMLINK_LOOP",
    self: "ERR_SYMLINK_LOOP",
    dangling: "ERR_SYMLINK_LOOP",
    "dir-link": "ERR_FILE_NOT_REGULAR",
    here: "ERR_FILE_NOT_REGULAR",
  });
  t.match(skipped.get("escape-abs")?.reason, join(outside, "secret.txt"), "the reason names the target");
  t.match(skipped.get("dir-link")?.reason, "symlink to a directory is not followed");
});

t.test("FIFOs and sockets are reported as not regular, without being opened", async (t) => {
  const dir = t.testdir({ "plain.txt": "p" });
  let fifo = false;
  try {
    execFileSync("mkfifo", [join(dir, "pipe")]);
    fifo = true;
  } catch {
    t.comment("mkfifo is not available: the FIFO case is not run");
  }
  const socketPath = join(dir, "s.sock");
  const server = createServer();
  const socket = socketPath.length < 100;
  if (socket) await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  else t.comment("the fixture path is too long for a Unix socket: the socket case is not run");
  t.teardown(() => new Promise<void>((resolve) => (socket ? server.close(() => resolve()) : resolve())));

  // A scan that opened the FIFO would block here forever (no writer).
  const { paths, skipped } = await collectScan(dir);
  t.same(paths, ["plain.txt"]);
  if (fifo) {
    t.equal(skipped.get("pipe")?.code, "ERR_FILE_NOT_REGULAR");
    t.match(skipped.get("pipe")?.reason, /FIFO/);
  }
  if (socket) {
    t.equal(skipped.get("s.sock")?.code, "ERR_FILE_NOT_REGULAR");
    t.match(skipped.get("s.sock")?.reason, /socket/);
  }
  t.same(
    (await collectScan(dir, { exclude: ["pipe", "*.sock"] })).skipped.size,
    0,
    "excluded ones are not reported",
  );
});

t.test("a file deleted between listing and stat is dropped silently", async (t) => {
  const names = Array.from({ length: 10 }, (_, i) => `f${i}.txt`);
  const dir = t.testdir(Object.fromEntries(names.map((n) => [n, n])));
  const scan = scanFolder(dir);
  const first = await scan.next();
  t.equal(first.done, false);
  const firstPath = first.value?.kind === "file" ? first.value.file.path : "";
  t.ok(names.includes(firstPath));
  // The directory was listed in one read (32 entries at a time); the others are stat-ed later.
  const deleted = names.filter((n) => n !== firstPath).slice(0, 5);
  for (const name of deleted) await unlink(join(dir, name));
  const rest: string[] = [];
  for (let next = await scan.next(); !next.done; next = await scan.next()) {
    t.equal(next.value.kind, "file", "no skipped entry for a deleted file");
    if (next.value.kind === "file") rest.push(next.value.file.path);
  }
  t.same(
    [firstPath, ...rest].sort(),
    names.filter((n) => !deleted.includes(n)),
  );
});

t.test("a folder deleted during the scan fails the scan instead of looking empty", async (t) => {
  const dir = t.testdir({ a: { "1.txt": "", "2.txt": "" }, b: { "3.txt": "" }, c: { "4.txt": "" } });
  const scan = scanFolder(dir);
  t.equal((await scan.next()).done, false);
  await rm(dir, { recursive: true, force: true });
  await t.rejects(
    (async () => {
      for (let next = await scan.next(); !next.done; next = await scan.next());
    })(),
    { code: "ERR_FOLDER_NOT_FOUND", message: new RegExp(`folder ${dir} disappeared`) },
  );
});

t.test("a subdirectory that cannot be read is reported and the rest is scanned", async (t) => {
  const dir = t.testdir({ open: { "a.txt": "" }, locked: { "secret.txt": "" }, "z.txt": "" });
  await chmod(join(dir, "locked"), 0o000);
  // Restored before tap removes the fixture (a non-root user could not delete it otherwise).
  const result = await runScanProcess(dir, "scan").finally(() => chmod(join(dir, "locked"), 0o755));
  if ("unavailable" in result) {
    t.pass("permission case", {
      skip: `running as root and ${result.unavailable}: permission bits cannot be tested`,
    });
    return;
  }
  if (process.getuid?.() === 0) t.comment("running as root: the scan ran as uid nobody");
  const files = result.entries.flatMap((e) => (e.file === undefined ? [] : [e.file.path]));
  t.same(files.sort(), ["open/a.txt", "z.txt"]);
  const reported = result.entries.filter((e) => e.kind === "skipped");
  t.equal(reported.length, 1);
  t.equal(reported[0]?.path, "locked");
  t.equal(reported[0]?.code, "ERR_FOLDER_UNREADABLE");
  t.match(reported[0]?.reason, /EACCES/);
});

t.test(
  "an unreadable .gitignore stops the scan: scanning without it could upload what it hides",
  async (t) => {
    const dir = t.testdir({ ".gitignore": "*.key\n", "id.key": "", "a.txt": "" });
    await chmod(join(dir, ".gitignore"), 0o000);
    const result = await runScanProcess(dir, "scan").finally(() => chmod(join(dir, ".gitignore"), 0o644));
    if ("unavailable" in result) {
      t.pass("permission case", {
        skip: `running as root and ${result.unavailable}: permission bits cannot be tested`,
      });
      return;
    }
    const last = result.entries.at(-1);
    t.equal(last?.kind, "error");
    t.equal(last?.code, "ERR_FOLDER_UNREADABLE");
    t.match(last?.message, join(dir, ".gitignore"));
    t.notOk(
      result.entries.some((e) => e.kind === "file"),
      "nothing is yielded before the rules are known",
    );
  },
);

t.test("a .gitignore that is a directory holds no rules", async (t) => {
  const dir = t.testdir({ ".gitignore": { "rules.txt": "*.key" }, "id.key": "" });
  t.same((await collectScan(dir)).paths, [".gitignore/rules.txt", "id.key"]);
});
