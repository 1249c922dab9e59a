import { execFile, execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmod, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import t from "tap";
import { type HashOutcome, hashFile } from "../../../core/hash/hash-file.js";
import { expectedHashes, hashesOf } from "./expected-hashes.js";

t.test("the test vectors of hub-protocol.md §7.5", async (t) => {
  const dir = t.testdir({ "hello.txt": "Hello, World!", "empty.txt": "" });
  const hello = await hashFile(join(dir, "hello.txt"));
  t.same(hashesOf(hello), {
    sha256: "dffd6021bb2bd5b0af676290809ec3a53191dd81c7f70a4b28688a362182986f",
    sha1: "b45ef6fec89518d314f546fd6c3025367b721684",
    sample: "SGVsbG8sIFdvcmxkIQ==",
  });
  t.equal(hello.ok && hello.bytesRead, 13);
  const empty = await hashFile(join(dir, "empty.txt"));
  t.same(hashesOf(empty), {
    sha256: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    sha1: "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391",
    sample: "",
  });
});

t.test(
  "a file bigger than the read buffer: one pass gives the same hashes as the whole buffer",
  async (t) => {
    const content = randomBytes(100_003);
    const dir = t.testdir({ "big.bin": content, "small.bin": content.subarray(0, 600) });
    t.same(
      hashesOf(await hashFile(join(dir, "small.bin"), 1)),
      expectedHashes(content.subarray(0, 600)),
      "buffer 1 byte",
    );
    for (const bufferBytes of [511, 4096, 1 << 20]) {
      t.same(
        hashesOf(await hashFile(join(dir, "big.bin"), bufferBytes)),
        expectedHashes(content),
        `buffer ${bufferBytes}`,
      );
    }
    const reused = new Uint8Array(777);
    t.same(
      hashesOf(await hashFile(join(dir, "big.bin"), 0, { buffer: reused })),
      expectedHashes(content),
      "given buffer",
    );
  },
);

t.test("the sample is exactly the first 512 bytes", async (t) => {
  const content = randomBytes(513);
  const dir = t.testdir({ "513.bin": content, "512.bin": content.subarray(0, 512), "3.bin": "abc" });
  const sample = (name: string) => hashFile(join(dir, name), 100).then((o) => hashesOf(o).sample);
  t.same(Buffer.from(await sample("513.bin"), "base64"), content.subarray(0, 512));
  t.same(Buffer.from(await sample("512.bin"), "base64"), content.subarray(0, 512));
  t.equal(await sample("3.bin"), "YWJj");
});

t.test("the stat before and after the read is returned and matches the file", async (t) => {
  const dir = t.testdir({ "f.bin": "some bytes" });
  const outcome = await hashFile(join(dir, "f.bin"));
  const st = await stat(join(dir, "f.bin"), { bigint: true });
  const want = {
    size: 10,
    mtimeNs: st.mtimeNs.toString(),
    ctimeNs: st.ctimeNs.toString(),
    inode: st.ino.toString(),
  };
  t.same(outcome.ok && outcome.statBefore, want);
  t.same(outcome.ok && outcome.statAfter, want);
});

t.test("per-file problems are outcomes with stable codes", async (t) => {
  const dir = t.testdir({ sub: {} });
  t.match(await hashFile(join(dir, "missing.bin")), {
    ok: false,
    code: "ERR_FILE_VANISHED",
    retryable: false,
  });
  t.match(await hashFile(join(dir, "sub")), { ok: false, code: "ERR_FILE_NOT_REGULAR", retryable: false });
  let fifo = false;
  try {
    execFileSync("mkfifo", [join(dir, "pipe")]);
    fifo = true;
  } catch {
    t.comment("mkfifo is not available: the FIFO case is not run");
  }
  // Opened non-blocking: a FIFO with no writer must not hang the hash.
  if (fifo) t.match(await hashFile(join(dir, "pipe")), { ok: false, code: "ERR_FILE_NOT_REGULAR" });
});

t.test("a file that grows while it is read is ERR_FILE_CHANGED (retryable)", async (t) => {
  // /proc files report size 0 and then yield bytes: exactly a file that grew after the fstat.
  const proc = "/proc/self/status";
  const exists = await stat(proc).then(
    () => true,
    () => false,
  );
  if (!exists) {
    t.pass("growing file", { skip: "no /proc here" });
    return;
  }
  const outcome = await hashFile(proc);
  t.match(outcome, { ok: false, code: "ERR_FILE_CHANGED", retryable: true });
  t.match(!outcome.ok && outcome.message, /grew/);
});

t.test("an unreadable file is ERR_FILE_UNREADABLE, not retryable", async (t) => {
  const dir = t.testdir({ "secret.bin": "s" });
  const file = join(dir, "secret.bin");
  await chmod(file, 0o000);
  const script = fileURLToPath(new URL("./hash-as-process.ts", import.meta.url));
  const asRoot = process.getuid?.() === 0;
  // Root bypasses permission bits: the hash then runs as uid nobody in a child process.
  let stdout: string;
  try {
    ({ stdout } = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", script, file],
      asRoot ? { uid: 65534, gid: 65534, env: { ...process.env, HOME: "/tmp" } } : {},
    ));
  } catch (err) {
    if (!asRoot) throw err;
    const why = err instanceof Error ? (err.message.split("\n")[0] ?? "") : String(err);
    t.pass("permission case", { skip: `running as root and uid nobody cannot run the sources here: ${why}` });
    return;
  }
  const outcome = JSON.parse(stdout) as HashOutcome;
  t.match(outcome, { ok: false, code: "ERR_FILE_UNREADABLE", retryable: false });
  t.match(!outcome.ok && outcome.message, file);
});

t.test("an abort signal rejects with its reason", async (t) => {
  const dir = t.testdir({ "f.bin": randomBytes(10_000) });
  const controller = new AbortController();
  controller.abort(new Error("stop"));
  await t.rejects(hashFile(join(dir, "f.bin"), 10, { signal: controller.signal }), { message: "stop" });
  await writeFile(join(dir, "g.bin"), "still works");
  t.ok((await hashFile(join(dir, "g.bin"))).ok);
});
