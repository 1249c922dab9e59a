/** Batches of small files per hashing thread (issue 16 item 1): what batching could break. */
import { randomBytes } from "node:crypto";
import { mkdir, readdir, readlink, truncate, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import t from "tap";
import { HashPool } from "../../../core/hash/hash-pool.js";
import { expectedHashes, hashesOf } from "./expected-hashes.js";

const hasProcFd = await readdir("/proc/self/fd").then(
  () => true,
  () => false,
);

/** Resolves once some descriptor of this process (the pool's threads share it) has `path` open. */
async function waitUntilOpen(path: string): Promise<void> {
  for (;;) {
    for (const fd of await readdir("/proc/self/fd")) {
      if ((await readlink(`/proc/self/fd/${fd}`).catch(() => "")) === path) return;
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
}

t.test("every file of a batch gets its own outcome, with its own hashes", async (t) => {
  const contents = new Map<string, Buffer>();
  for (let i = 0; i < 300; i++) contents.set(`f${i}.bin`, randomBytes((i * 7919) % 20_000));
  const dir = t.testdir(Object.fromEntries(contents));
  const pool = new HashPool({ workers: 2, readBufferBytes: 4096 });
  t.teardown(() => pool.close());
  const names = [...contents.keys()];
  const outcomes = await Promise.all(
    names.map((name) => pool.hash(join(dir, name), undefined, { size: contents.get(name)?.length ?? 0 })),
  );
  names.forEach((name, i) => {
    const outcome = outcomes[i];
    t.same(outcome && hashesOf(outcome), expectedHashes(contents.get(name) ?? Buffer.alloc(1)), name);
  });
  // Not one message per file: the files went in batches (fewer than a fifth of the files).
  t.equal(pool.sent.files, names.length);
  t.ok(pool.sent.batches * 5 < names.length, `${pool.sent.batches} batches for ${names.length} files`);
});

t.test("files without a size, or large ones, go alone", async (t) => {
  const dir = t.testdir({ "a.txt": "a", "b.txt": "b", "c.txt": "c" });
  const pool = new HashPool({ workers: 1 });
  t.teardown(() => pool.close());
  await Promise.all([
    pool.hash(join(dir, "a.txt")),
    pool.hash(join(dir, "b.txt"), undefined, { size: 64 * 1024 * 1024 }),
    pool.hash(join(dir, "c.txt")),
  ]);
  t.same(pool.sent, { batches: 3, files: 3 });
});

t.test("a bad file in a batch fails only itself", async (t) => {
  const dir = t.testdir({ "ok-0.txt": "zero", "gone.txt": "soon gone", "ok-1.txt": "one", "ok-2.txt": "" });
  await mkdir(join(dir, "a-dir"));
  const pool = new HashPool({ workers: 1 });
  t.teardown(() => pool.close());
  await unlink(join(dir, "gone.txt"));
  const names = ["ok-0.txt", "gone.txt", "a-dir", "ok-1.txt", "missing.txt", "ok-2.txt"];
  const outcomes = await Promise.all(names.map((n) => pool.hash(join(dir, n), undefined, { size: 10 })));
  t.same(pool.sent, { batches: 1, files: names.length }, "all in one batch");
  t.same(outcomes[0] && hashesOf(outcomes[0]), expectedHashes(Buffer.from("zero")));
  t.match(outcomes[1], { ok: false, code: "ERR_FILE_VANISHED", retryable: false });
  t.match(outcomes[1], { message: /gone\.txt/ });
  t.match(outcomes[2], { ok: false, code: "ERR_FILE_NOT_REGULAR" });
  t.same(outcomes[3] && hashesOf(outcomes[3]), expectedHashes(Buffer.from("one")));
  t.match(outcomes[4], { ok: false, code: "ERR_FILE_VANISHED", message: /missing\.txt/ });
  t.same(outcomes[5] && hashesOf(outcomes[5]), expectedHashes(Buffer.alloc(0)));
});

t.test(
  "aborting files of a running batch stops the one being read and skips the waiting one; the rest are hashed",
  // The safety net: without a working cancel the thread reads 256 GiB of zeros (minutes) first.
  { skip: !hasProcFd, timeout: 120_000 },
  async (t) => {
    const dir = t.testdir({ "a.txt": "a", "b.txt": "b", "c.txt": "c" });
    const huge = join(dir, "huge.bin");
    const hugeB = join(dir, "huge-b.bin");
    for (const path of [huge, hugeB]) {
      await writeFile(path, "");
      await truncate(path, 256 * 1024 ** 3); // sparse: reads as zeros, costs no disk
    }
    const pool = new HashPool({ workers: 1, readBufferBytes: 64 * 1024 });
    t.teardown(() => pool.close());
    const hugeAbort = new AbortController();
    const bAbort = new AbortController();
    // The scan saw huge.bin small: it rides in the batch, first.
    const running = pool.hash(huge, hugeAbort.signal, { size: 1 });
    const a = pool.hash(join(dir, "a.txt"), undefined, { size: 1 });
    // Skipped, or the thread reads it for minutes before c.
    const b = pool.hash(hugeB, bAbort.signal, { size: 1 });
    const c = pool.hash(join(dir, "c.txt"), undefined, { size: 1 });
    await waitUntilOpen(huge);
    t.same(pool.sent, { batches: 1, files: 4 }, "one batch");
    bAbort.abort(new Error("not b")); // still waiting in the batch
    hugeAbort.abort(new Error("stop reading"));
    await t.rejects(running, { message: "stop reading" });
    await t.rejects(b, { message: "not b" });
    t.same(hashesOf(await a), expectedHashes(Buffer.from("a")));
    t.same(hashesOf(await c), expectedHashes(Buffer.from("c")));
    // The thread is free again: the next file gets its answer.
    await writeFile(join(dir, "d.txt"), "d");
    t.same(
      hashesOf(await pool.hash(join(dir, "d.txt"), undefined, { size: 1 })),
      expectedHashes(Buffer.from("d")),
    );
  },
);

t.test(
  "a thread that dies mid-batch: every unanswered file of the batch gets a retryable error",
  { skip: !hasProcFd },
  async (t) => {
    const dir = t.testdir({ "a.txt": "a", "b.txt": "b" });
    const huge = join(dir, "huge.bin");
    await writeFile(huge, "");
    await truncate(huge, 256 * 1024 ** 3);
    const pool = new HashPool({ workers: 1, readBufferBytes: 64 * 1024 });
    t.teardown(() => pool.close());
    const outcomes = [huge, join(dir, "a.txt")].map((p) => pool.hash(p, undefined, { size: 1 }));
    await waitUntilOpen(huge);
    const slots = Reflect.get(pool, "slots") as { worker: { terminate(): Promise<number> } }[];
    await slots[0]?.worker.terminate();
    for (const outcome of await Promise.all(outcomes))
      t.match(outcome, { ok: false, code: "ERR_FILE_UNREADABLE", retryable: true });
    t.same(
      hashesOf(await pool.hash(join(dir, "b.txt"), undefined, { size: 1 })),
      expectedHashes(Buffer.from("b")),
    );
  },
);
