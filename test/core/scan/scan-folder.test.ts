import { mkdir, readdir, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import t from "tap";
import { LISTED_AT_ONCE_BYTES, scanFolder } from "../../../core/scan/scan-folder.js";
import { collectScan } from "./collect-scan.js";

t.test("files are reported with POSIX relative paths and their stat, nanoseconds as strings", async (t) => {
  const dir = t.testdir({ "top.txt": "12345", a: { b: { "deep.bin": "xy" } }, "empty.dat": "" });
  const { files, paths, skipped } = await collectScan(dir);
  t.same(paths, ["a/b/deep.bin", "empty.dat", "top.txt"]);
  t.equal(skipped.size, 0);
  const st = await stat(join(dir, "a", "b", "deep.bin"), { bigint: true });
  t.same(files.get("a/b/deep.bin"), {
    path: "a/b/deep.bin",
    size: 2,
    mtimeNs: st.mtimeNs.toString(),
    ctimeNs: st.ctimeNs.toString(),
    inode: st.ino.toString(),
  });
  t.equal(files.get("empty.dat")?.size, 0, "a 0-byte file is a file like any other");
});

t.test("default ignores: .git at any depth, .cache/huggingface at any depth", async (t) => {
  const dir = t.testdir({
    ".git": { HEAD: "ref", objects: { aa: "x" } },
    sub: { ".git": "gitdir: elsewhere", "keep.txt": "k", nested: { ".git": { config: "c" } } },
    ".cache": { huggingface: { "upload.lock": "l" }, "other.txt": "o" },
    models: { ".cache": { huggingface: { download: { "x.meta": "m" } } } },
    ".gitattributes": "*.bin filter=lfs",
  });
  const { paths } = await collectScan(dir);
  t.same(paths, [".cache/other.txt", ".gitattributes", "sub/keep.txt"]);
});

t.test(
  "the root .gitignore: patterns, negation, directory patterns; the file itself is uploaded",
  async (t) => {
    const dir = t.testdir({
      ".gitignore": ["# comment", "*.log", "!keep.log", "build/", "/rooted.txt", "Secret*"].join("\n"),
      "a.log": "",
      "keep.log": "",
      "rooted.txt": "",
      "secret.txt": "case-sensitive, like git on Linux",
      "Secret.key": "",
      build: { "out.o": "", deep: { "x.o": "" } },
      src: { "b.log": "", "rooted.txt": "only the root one is ignored", build: { "y.o": "" }, "main.c": "" },
      nested: { ".gitignore": "*.c", "z.c": "nested .gitignore files are not read" },
    });
    const { paths } = await collectScan(dir);
    t.same(paths, [
      ".gitignore",
      "keep.log",
      "nested/.gitignore",
      "nested/z.c",
      "secret.txt",
      "src/main.c",
      "src/rooted.txt",
    ]);
    const without = await collectScan(dir, { useGitignore: false });
    t.ok(without.files.has("build/deep/x.o"), "useGitignore: false uploads what .gitignore names");
    t.ok(without.files.has("a.log"));
  },
);

t.test(
  "a directory ignored by .gitignore is not descended into, so a negation cannot re-include",
  async (t) => {
    const dir = t.testdir({
      ".gitignore": "cache/\n!cache/important.txt\n",
      cache: { "important.txt": "", "junk.bin": "" },
    });
    const { paths } = await collectScan(dir);
    t.same(paths, [".gitignore"], "like git: a file under an excluded directory cannot be re-included");
  },
);

t.test("include and exclude: a pattern without a slash matches at any depth; exclude wins", async (t) => {
  const dir = t.testdir({
    "model.bin": "",
    "README.md": "",
    weights: { "w1.bin": "", "w2.safetensors": "", old: { "w0.bin": "" } },
    data: { "train.csv": "", sub: { "test.csv": "" } },
    logs: { "run.txt": "" },
  });
  t.same((await collectScan(dir, { include: ["*.bin"] })).paths, [
    "model.bin",
    "weights/old/w0.bin",
    "weights/w1.bin",
  ]);
  t.same((await collectScan(dir, { include: ["weights/*.bin"] })).paths, ["weights/w1.bin"]);
  t.same((await collectScan(dir, { include: ["weights/**"] })).paths, [
    "weights/old/w0.bin",
    "weights/w1.bin",
    "weights/w2.safetensors",
  ]);
  t.same(
    (await collectScan(dir, { include: ["data/*"] })).paths,
    ["data/sub/test.csv", "data/train.csv"],
    "a pattern matching a directory covers everything inside it (like hf upload's fnmatch)",
  );
  t.same((await collectScan(dir, { include: ["*.bin"], exclude: ["old/"] })).paths, [
    "model.bin",
    "weights/w1.bin",
  ]);
  t.same(
    (await collectScan(dir, { include: ["weights/**"], exclude: ["*.bin"] })).paths,
    ["weights/w2.safetensors"],
    "exclude wins over include",
  );
  t.same((await collectScan(dir, { exclude: ["logs", "data/**", "*.md"] })).paths, [
    "model.bin",
    "weights/old/w0.bin",
    "weights/w1.bin",
    "weights/w2.safetensors",
  ]);
  t.same(
    (await collectScan(dir, { exclude: ["model.bin/"] })).files.has("model.bin"),
    true,
    "a trailing slash matches directories only",
  );
});

t.test("dot files match * (dot: true) and .gitignore is filtered by include like any file", async (t) => {
  const dir = t.testdir({ ".env": "", ".gitignore": "", conf: { ".hidden.yaml": "" }, "a.yaml": "" });
  t.same((await collectScan(dir, { include: ["*.yaml"] })).paths, ["a.yaml", "conf/.hidden.yaml"]);
  t.same((await collectScan(dir, { exclude: [".*"] })).paths, ["a.yaml"]);
});

t.test(
  "excludeAbsolute hides a state directory inside the folder, also when given through a symlink",
  async (t) => {
    const dir = t.testdir({
      state: { "journal.db": "", "journal.db-wal": "" },
      "data.txt": "",
      alias: t.fixture("symlink", "state"),
      "db-link": t.fixture("symlink", "state/journal.db"),
    });
    const viaAlias = await collectScan(dir, { excludeAbsolute: [join(dir, "alias")] });
    t.same(viaAlias.paths, ["data.txt"], "the journal is not uploaded through db-link either");
    t.same([...viaAlias.skipped.keys()], [], "the hidden path itself is not reported");
    t.same((await collectScan(dir, { excludeAbsolute: [join(dir, "state", "journal.db")] })).paths, [
      "data.txt",
      "state/journal.db-wal",
    ]);
  },
);

t.test("names with spaces, unicode and a newline are plain strings", async (t) => {
  const dir = t.testdir({});
  const names = [
    "with space.txt",
    "données",
    "日本語.bin",
    "line\nbreak.txt",
    "...",
    "tab\there",
    "back\\slash",
  ];
  await mkdir(join(dir, "données"));
  for (const name of names.filter((n) => n !== "données")) await writeFile(join(dir, name), name);
  await writeFile(join(dir, "données", "été 2024.csv"), "x");
  await writeFile(join(dir, ".gitignore"), "*.tmp\n");
  const { paths, files } = await collectScan(dir);
  t.same(paths, [...names.filter((n) => n !== "données"), "données/été 2024.csv", ".gitignore"].sort());
  t.equal(files.get("line\nbreak.txt")?.size, "line\nbreak.txt".length);
  t.same((await collectScan(dir, { include: ["*.txt"] })).paths, ["line\nbreak.txt", "with space.txt"]);
});

t.test("an abort signal stops the walk and closes the open directories", async (t) => {
  const dir = t.testdir({ a: { b: { c: { "1.txt": "", "2.txt": "" } } }, "z.txt": "" });
  const fdsBefore = await openFdCount();
  const controller = new AbortController();
  const seen: string[] = [];
  await t.rejects(
    (async () => {
      for await (const entry of scanFolder(dir, { signal: controller.signal })) {
        if (entry.kind === "file") seen.push(entry.file.path);
        controller.abort(new Error("stop here"));
      }
    })(),
    { message: "stop here" },
  );
  t.equal(seen.length, 1, "nothing is yielded after the abort");
  if (fdsBefore !== null) t.equal(await openFdCount(), fdsBefore, "no directory handle is left open");
});

t.test("stopping early (break) closes the open directories too", async (t) => {
  const dir = t.testdir({ a: { b: { c: {} } } });
  // Small directories are listed at once (no descriptor held); c, large, is streamed.
  const names = await fillPastListedAtOnce(join(dir, "a", "b", "c"));
  const fdsBefore = await openFdCount();
  if (fdsBefore === null) {
    t.pass("descriptor count", { skip: "no /proc/self/fd on this system" });
    return;
  }
  for await (const entry of scanFolder(dir)) {
    t.equal(entry.kind, "file");
    t.equal(await openFdCount(), fdsBefore + 1, "c is open while its first file is handed out");
    break;
  }
  t.equal(await openFdCount(), fdsBefore);
  t.ok(names > 0);
});

t.test("a directory too large to list at once is streamed, and every entry of it is found", async (t) => {
  const dir = t.testdir({ small: { "s.txt": "s" }, big: {}, "top.txt": "t" });
  const count = await fillPastListedAtOnce(join(dir, "big"));
  await mkdir(join(dir, "big", "zz-sub"));
  await writeFile(join(dir, "big", "zz-sub", "inner.txt"), "i");
  const { paths } = await collectScan(dir);
  t.equal(paths.length, count + 3, "every file of the big directory, its subfolder's and the others'");
  t.ok(paths.includes("big/zz-sub/inner.txt"), "a folder inside the streamed one is walked");
  t.ok(paths.includes("big/f-0000-a-name-long-enough-to-fill-the-directory.txt"));
  t.ok(paths.includes("small/s.txt") && paths.includes("top.txt"));
});

/**
 * Adds empty files to `dir` until its own size is over LISTED_AT_ONCE_BYTES (the walk then
 * streams it); returns how many. The size per entry depends on the filesystem, hence the loop.
 */
async function fillPastListedAtOnce(dir: string): Promise<number> {
  let n = 0;
  while ((await stat(dir, { bigint: true })).size <= LISTED_AT_ONCE_BYTES) {
    for (let i = 0; i < 500; i++, n++)
      await writeFile(
        join(dir, `f-${String(n).padStart(4, "0")}-a-name-long-enough-to-fill-the-directory.txt`),
        "",
      );
    if (n > 100_000) throw new Error(`${dir}: its size does not grow with its entries on this filesystem`);
  }
  return n;
}

/** Open descriptors of this process (Linux), or null where /proc is missing. */
async function openFdCount(): Promise<number | null> {
  try {
    return (await readdir("/proc/self/fd")).length;
  } catch {
    return null;
  }
}
