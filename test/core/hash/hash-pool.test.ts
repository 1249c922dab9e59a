import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdir, readlink, truncate, unlink, writeFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { Worker } from "node:worker_threads";
import t from "tap";
import { HashPool } from "../../../core/hash/hash-pool.js";
import { expectedHashes, hashesOf } from "./expected-hashes.js";

const MiB = 1024 * 1024;

/** A large file that costs no disk and no time to write (sparse: reads as zeros). */
async function sparseFile(path: string, bytes: number): Promise<string> {
  await writeFile(path, "");
  await truncate(path, bytes);
  return path;
}

/**
 * Resolves true once some descriptor of this process (the pool's threads share it) has `path`
 * open, i.e. a worker is reading it; false if `settled()` turns true first.
 */
async function waitUntilOpen(path: string, settled: () => boolean): Promise<boolean> {
  while (!settled()) {
    for (const fd of await readdir("/proc/self/fd")) {
      if ((await readlink(`/proc/self/fd/${fd}`).catch(() => "")) === path) return true;
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  return false;
}

function track<T>(promise: Promise<T>): { promise: Promise<T>; settled: () => boolean } {
  let done = false;
  const tracked = promise.finally(() => {
    done = true;
  });
  tracked.catch(() => undefined);
  return { promise: tracked, settled: () => done };
}

const hasProcFd = await readdir("/proc/self/fd").then(
  () => true,
  () => false,
);

t.test("the pool hashes the test vectors; size defaults to the cores", async (t) => {
  const dir = t.testdir({ "hello.txt": "Hello, World!", "empty.txt": "" });
  const pool = new HashPool();
  t.teardown(() => pool.close());
  t.equal(pool.size, availableParallelism());
  t.same(hashesOf(await pool.hash(join(dir, "hello.txt"))), {
    sha256: "dffd6021bb2bd5b0af676290809ec3a53191dd81c7f70a4b28688a362182986f",
    sha1: "b45ef6fec89518d314f546fd6c3025367b721684",
    sample: "SGVsbG8sIFdvcmxkIQ==",
  });
  t.same(hashesOf(await pool.hash(join(dir, "empty.txt"))).sha1, "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
});

t.test("many files at once through a 2-worker pool all get their own right hashes", async (t) => {
  const contents = new Map<string, Buffer>();
  for (let i = 0; i < 200; i++) contents.set(`f${i}.bin`, randomBytes(i % 7 === 0 ? 0 : (i * 997) % 70_000));
  for (let i = 0; i < 4; i++) contents.set(`big${i}.bin`, randomBytes(MiB + i * 4099));
  const dir = t.testdir(Object.fromEntries(contents));
  const pool = new HashPool({ workers: 2, readBufferBytes: 4096 });
  t.teardown(() => pool.close());
  t.equal(pool.size, 2);
  const names = [...contents.keys()];
  const outcomes = await Promise.all(names.map((name) => pool.hash(join(dir, name))));
  let right = 0;
  names.forEach((name, i) => {
    const outcome = outcomes[i];
    const content = contents.get(name);
    if (outcome !== undefined && content !== undefined && outcome.ok) {
      if (JSON.stringify(outcome.hashes) === JSON.stringify(expectedHashes(content))) right++;
      else t.fail(`wrong hashes for ${name}`);
    } else t.fail(`no success for ${name}`);
  });
  t.equal(right, names.length);
});

t.test("a file deleted mid-hash is ERR_FILE_VANISHED and the pool goes on", async (t) => {
  const dir = t.testdir({ "a.txt": "after", "b.txt": "" });
  const big = await sparseFile(join(dir, "big.bin"), 256 * MiB);
  const pool = new HashPool({ workers: 1, readBufferBytes: 64 * 1024 });
  t.teardown(() => pool.close());
  // Deleted mid-read, the worker notices at its next periodic fstat (nlink 0), not at the end.
  const first = pool.hash(big);
  const next = [pool.hash(join(dir, "a.txt")), pool.hash(join(dir, "b.txt"))];
  // Deleted before the open or during the read, the answer is the same: it is gone.
  await unlink(big);
  t.match(await first, { ok: false, code: "ERR_FILE_VANISHED", retryable: false });
  const [a, b] = await Promise.all(next);
  t.same(a && hashesOf(a), expectedHashes(Buffer.from("after")));
  t.same(b && hashesOf(b), expectedHashes(Buffer.alloc(0)));
});

t.test(
  "a file truncated while being read is ERR_FILE_CHANGED (retryable)",
  { skip: !hasProcFd },
  async (t) => {
    const dir = t.testdir({ "a.txt": "after" });
    const size = 256 * MiB;
    const big = await sparseFile(join(dir, "big.bin"), size);
    const pool = new HashPool({ workers: 1, readBufferBytes: 64 * 1024 });
    t.teardown(() => pool.close());
    const running = track(pool.hash(big));
    const next = pool.hash(join(dir, "a.txt"));
    t.ok(await waitUntilOpen(big, running.settled), "the worker opened the file");
    await truncate(big, size / 2);
    const outcome = await running.promise;
    if (outcome.ok) {
      // Only if the whole read finished between our seeing the descriptor and the truncate: then
      // the hashes must be those of the full file, never a mix.
      t.comment("the read finished before the truncate landed");
      t.equal(outcome.statBefore.size, size);
      t.same(outcome.hashes, expectedHashes(Buffer.alloc(size)));
    } else {
      t.match(outcome, { ok: false, code: "ERR_FILE_CHANGED", retryable: true });
    }
    t.same(hashesOf(await next), expectedHashes(Buffer.from("after")));
  },
);

t.test(
  "a worker that dies is replaced and its file answered with a retryable error",
  { skip: !hasProcFd },
  async (t) => {
    const dir = t.testdir({ "a.txt": "after" });
    const big = await sparseFile(join(dir, "big.bin"), 2048 * MiB);
    const pool = new HashPool({ workers: 1, readBufferBytes: 16 * 1024 });
    t.teardown(() => pool.close());
    const running = track(pool.hash(big));
    const queued = pool.hash(join(dir, "a.txt"));
    t.ok(await waitUntilOpen(big, running.settled));
    // Simulates a crash of the real worker thread (nothing in the worker can be made to crash).
    const slots = Reflect.get(pool, "slots") as { worker: Worker }[];
    t.equal(slots.length, 1);
    const victim = slots[0]?.worker;
    await victim?.terminate();
    const outcome = await running.promise;
    t.match(outcome, { ok: false, code: "ERR_FILE_UNREADABLE", retryable: true });
    t.match(
      !outcome.ok && outcome.message,
      /big\.bin was not hashed: the hashing thread stopped while reading it/,
    );
    t.same(hashesOf(await queued), expectedHashes(Buffer.from("after")), "a new thread took the queued file");
    const replaced = Reflect.get(pool, "slots") as { worker: Worker }[];
    t.equal(replaced.length, 1);
    t.not(replaced[0]?.worker, victim);
  },
);

t.test(
  "aborting a queued or a running hash rejects it; the pool goes on",
  { skip: !hasProcFd },
  async (t) => {
    const dir = t.testdir({ "a.txt": "after" });
    const big = await sparseFile(join(dir, "big.bin"), 2048 * MiB);
    const pool = new HashPool({ workers: 1, readBufferBytes: 16 * 1024 });
    t.teardown(() => pool.close());
    const runningController = new AbortController();
    const queuedController = new AbortController();
    const running = track(pool.hash(big, runningController.signal));
    const queued = pool.hash(join(dir, "a.txt"), queuedController.signal);
    const after = pool.hash(join(dir, "a.txt"));
    queuedController.abort(new Error("not this one"));
    await t.rejects(queued, { message: "not this one" });
    t.ok(await waitUntilOpen(big, running.settled));
    runningController.abort(new Error("stop reading"));
    await t.rejects(running.promise, { message: "stop reading" });
    t.same(hashesOf(await after), expectedHashes(Buffer.from("after")));
    const aborted = new AbortController();
    aborted.abort(new Error("already"));
    await t.rejects(pool.hash(join(dir, "a.txt"), aborted.signal), { message: "already" });
  },
);

t.test("close() rejects what is pending with ERR_INTERRUPTED and refuses new work", async (t) => {
  const dir = t.testdir({ "a.txt": "a" });
  const big = await sparseFile(join(dir, "big.bin"), 1024 * MiB);
  const pool = new HashPool({ workers: 1, readBufferBytes: 16 * 1024 });
  const pending = [pool.hash(big), pool.hash(join(dir, "a.txt"))].map((p) =>
    t.rejects(p, { code: "ERR_INTERRUPTED" }),
  );
  await pool.close();
  await Promise.all(pending);
  await t.rejects(pool.hash(join(dir, "a.txt")), { code: "ERR_INTERRUPTED" });
});

t.test("an idle pool does not keep the process alive", async (t) => {
  const dir = t.testdir({ "hello.txt": "Hello, World!" });
  const script = fileURLToPath(new URL("./pool-left-open.ts", import.meta.url));
  // The timeout is a safety net against a hang (which is the failure), not a speed check.
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ["--import", "tsx", script, join(dir, "hello.txt")],
    { timeout: 120_000 },
  );
  t.equal(
    (JSON.parse(stdout) as { hashes: { sha1: string } }).hashes.sha1,
    "b45ef6fec89518d314f546fd6c3025367b721684",
  );
});
