import { createHash } from "node:crypto";
import { statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import t, { type Test } from "tap";
import { toFileStat } from "../../../core/hash/to-file-stat.js";
import { hashedLengths } from "../../../core/xet/packed-chunks.js";
import {
  type PassResult,
  runXetPass,
  termRecords,
  XORB_TARGET_BYTES,
} from "../../../core/xet/xet-file-pass.js";
import {
  passPoolShape,
  XET_MEMORY_BUDGET_BYTES,
  XET_THREAD_BYTES,
  XetPassPool,
} from "../../../core/xet/xet-pass-pool.js";
import { hashToString } from "../../../xet/hash-string.js";
import { loadXetHasher } from "../../../xet/xet-hasher.js";
import type { BuiltXorb } from "../../../xet/xorb.js";
import { noise } from "../../helpers/noise.js";

const MiB = 1024 * 1024;

/**
 * 36 MiB: random blocks, a float-like compressible run (LZ4/BG4 paths), and blocks repeated inside
 * the file (dedup against the pass's own xorbs), so a pass builds several 8 MiB xorbs.
 */
function sample(): Buffer {
  const a = noise(10 * MiB, 1);
  const floats = Buffer.alloc(6 * MiB);
  for (let i = 0; i < floats.length / 4; i++)
    floats.writeFloatLE(Math.sin(i / 50) * 3 + (i % 7) * 0.001, i * 4);
  const b = noise(8 * MiB, 2);
  return Buffer.concat([a, floats, b, a.subarray(2 * MiB, 5 * MiB), noise(3 * MiB, 3), noise(6 * MiB, 5)]);
}

/**
 * The lookup a pass sees: chunks of an "earlier upload" (the noise block of seed 2) in a xorb the
 * CAS holds; a query for an eligible chunk teaches it a further set of chunks (as a global dedup
 * answer does), so the order of lookups and queries shows in the result.
 */
function dedupState(known: readonly Uint8Array[], taught: readonly Uint8Array[]) {
  const map = new Map<string, { xorb: string; index: number }>();
  known.forEach((h, i) => {
    map.set(hashToString(h), { xorb: "a".repeat(64), index: i });
  });
  const queried: string[] = [];
  const looked: string[] = [];
  return {
    queried,
    looked,
    lookup: (hash: Uint8Array) => {
      looked.push(hashToString(hash));
      return map.get(hashToString(hash)) ?? null;
    },
    query: async (hash: Uint8Array) => {
      queried.push(hashToString(hash));
      if (queried.length !== 1) return false;
      taught.forEach((h, i) => {
        map.set(hashToString(h), { xorb: "b".repeat(64), index: i });
      });
      return true;
    },
  };
}

interface Outcome {
  readonly result: PassResult;
  readonly bodies: string[];
  readonly queried: string[];
}

function summary(o: Outcome) {
  return {
    terms: termRecords(o.result.terms),
    chunks: hashedLengths(o.result.chunks).map((c) => `${hashToString(c.hash)}:${c.length}`),
    built: o.result.built.map((x) => [
      x.hashString,
      x.serializedLength,
      x.unpackedLength,
      hashedLengths(x.chunks).map((c) => `${hashToString(c.hash)}:${c.length}`),
    ]),
    sha256: o.result.sha256,
    dedupBytes: o.result.dedupBytes,
    bodies: o.bodies,
    queried: o.queried,
  };
}

t.test(
  "the worker pass gives the in-thread reference's xorbs, terms and queries, byte for byte",
  async (t) => {
    const dir = t.testdir();
    const bytes = sample();
    const absolute = join(dir, "f.bin");
    writeFileSync(absolute, bytes);
    const file = {
      path: "f.bin",
      size: bytes.length,
      sha256: createHash("sha256").update(bytes).digest("hex"),
    };
    const hasher = await loadXetHasher();
    // Chunk hashes of the seed-2 block as chunked on its own, and of the repeated block of seed 1.
    const { chunkBuffer } = await import("../../../xet/chunker.js");
    const known = chunkBuffer(noise(8 * MiB, 2)).map((c) => hasher.chunkHash(c));
    const taught = chunkBuffer(noise(3 * MiB, 3)).map((c) => hasher.chunkHash(c));
    const bodyHash = (x: BuiltXorb) => `${x.hashString}:${createHash("sha256").update(x.body).digest("hex")}`;

    const ref = dedupState(known, taught);
    const refBodies: string[] = [];
    const reference = await runXetPass({
      absolute,
      file,
      hasher,
      compression: "auto",
      lookup: ref.lookup,
      query: ref.query,
      onXorb: async (x) => {
        refBodies.push(bodyHash(x));
      },
      signal: new AbortController().signal,
    });

    const pool = new XetPassPool({ workers: 2 });
    t.teardown(() => pool.close());
    const inWorker = dedupState(known, taught);
    const bodies: string[] = [];
    let inflight = 0;
    let maxInflight = 0;
    const result = await pool.run({
      absolute,
      file,
      compression: "auto",
      lookup: inWorker.lookup,
      query: inWorker.query,
      upload: async (x) => {
        inflight++;
        maxInflight = Math.max(maxInflight, inflight);
        bodies.push(bodyHash(x));
        await new Promise((r) => setTimeout(r, 20));
        inflight--;
      },
      streams: 2,
      signal: new AbortController().signal,
    });
    const a = summary({ result: reference, bodies: refBodies, queried: ref.queried });
    const b = summary({ result, bodies, queried: inWorker.queried });
    t.ok(a.built.length >= 3, `the reference built ${a.built.length} xorbs`);
    t.ok(a.dedupBytes > 10 * MiB, "own, known and taught chunks were deduplicated");
    t.ok(a.queried.length >= 1, "the CAS was asked about eligible chunks");
    t.same(b, a, "same terms, chunks, xorbs (bodies hashed), sha256, dedup bytes and queries");
    // The main thread is asked about the chunks the reference looks up, no more: a chunk the pass
    // packed itself is never sent for a lookup again (the sample repeats a 3 MiB block).
    t.ok(ref.looked.length > 100, `the reference looked up ${ref.looked.length} chunks`);
    t.same(inWorker.looked, ref.looked, "the same lookups, in the same order");
    t.ok(maxInflight <= 2, `at most 2 xorb uploads in flight (saw ${maxInflight})`);

    // Two passes at once on one thread give the same result each (passes do not share state).
    const one = new XetPassPool({ workers: 1 });
    t.teardown(() => one.close());
    const twice = await Promise.all(
      [0, 1].map(async () => {
        const s = dedupState(known, taught);
        const got: string[] = [];
        const r = await one.run({
          absolute,
          file,
          compression: "auto",
          lookup: s.lookup,
          query: s.query,
          upload: async (x) => {
            got.push(bodyHash(x));
          },
          streams: 2,
          signal: new AbortController().signal,
        });
        return summary({ result: r, bodies: got, queried: s.queried });
      }),
    );
    t.same(twice[0], a, "first of two concurrent passes on one thread");
    t.same(twice[1], a, "second of two concurrent passes on one thread");
  },
);

/** A 3 MiB file written to a test dir, a one-thread pool, and the pass options with no dedup. */
function onePassSetup(t: Test, name: string, seed: number) {
  const bytes = noise(3 * MiB, seed);
  const absolute = join(t.testdir(), name);
  writeFileSync(absolute, bytes);
  const pool = new XetPassPool({ workers: 1 });
  t.teardown(() => pool.close());
  const options = {
    absolute,
    compression: "auto" as const,
    lookup: () => null,
    query: async () => false,
    upload: async () => {},
    streams: 2,
    signal: new AbortController().signal,
  };
  return { bytes, absolute, pool, options };
}

t.test("a file that changed since it was hashed fails with ERR_FILE_CHANGED", async (t) => {
  const { bytes, pool, options } = onePassSetup(t, "f.bin", 9);
  const stale = createHash("sha256").update(bytes.subarray(1)).digest("hex");
  await t.rejects(pool.run({ ...options, file: { path: "f.bin", size: bytes.length, sha256: stale } }), {
    code: "ERR_FILE_CHANGED",
    retryable: true,
  });
  const right = createHash("sha256").update(bytes).digest("hex");
  await t.rejects(pool.run({ ...options, file: { path: "f.bin", size: bytes.length - 10, sha256: right } }), {
    code: "ERR_FILE_CHANGED",
  });
  const ok = await pool.run({ ...options, file: { path: "f.bin", size: bytes.length, sha256: right } });
  t.equal(ok.sha256, right, "the same thread passes the unchanged file afterwards");
});

/**
 * With the journaled stat (statGuard) the pass does not hash the bytes with sha256 again (issue 16
 * item 6, as LFS sends do): the open descriptor's stat before the first read and after the last
 * must equal it. Proof that the re-hash is skipped: a wrong journaled sha256 passes under a matching
 * stat. Proof that the guard holds: a same-size rewrite with its mtime put back (ctime moves) fails.
 */
t.test("a stat guard replaces the pass's sha256 re-check, and catches a same-size rewrite", async (t) => {
  const { bytes, absolute, pool, options } = onePassSetup(t, "g.bin", 11);
  const journaled = toFileStat(statSync(absolute, { bigint: true }));
  const notRehashed = "ab".repeat(32);
  const ok = await pool.run({
    ...options,
    file: { path: "g.bin", size: bytes.length, sha256: notRehashed },
    statGuard: journaled,
  });
  t.equal(ok.sha256, notRehashed, "the journaled sha256 is taken, not recomputed");
  await t.rejects(
    pool.run({ ...options, file: { path: "g.bin", size: bytes.length, sha256: notRehashed } }),
    { code: "ERR_FILE_CHANGED" },
    "without the guard the bytes are hashed again and the wrong sha256 is caught",
  );

  const before = statSync(absolute);
  await new Promise((r) => setTimeout(r, 20)); // a later kernel tick for the rewrite's ctime
  const rewritten = Buffer.from(bytes);
  rewritten[MiB] = (rewritten[MiB] ?? 0) ^ 0xff;
  writeFileSync(absolute, rewritten);
  utimesSync(absolute, before.atime, before.mtime);
  const right = createHash("sha256").update(bytes).digest("hex");
  await t.rejects(
    pool.run({
      ...options,
      file: { path: "g.bin", size: bytes.length, sha256: right },
      statGuard: journaled,
    }),
    { code: "ERR_FILE_CHANGED", retryable: true },
    "same size, mtime put back: ctime moved, the guard refuses the bytes",
  );
});

t.test("abort stops the worker's pass; a failed upload fails the pass; xorbs wait for buffers", async (t) => {
  const dir = t.testdir();
  const bytes = noise(64 * MiB, 4);
  const absolute = join(dir, "f.bin");
  writeFileSync(absolute, bytes);
  const file = {
    path: "f.bin",
    size: bytes.length,
    sha256: createHash("sha256").update(bytes).digest("hex"),
  };
  const pool = new XetPassPool({ workers: 1 });
  t.teardown(() => pool.close());

  // Uploads that never finish: the worker builds 3 xorbs (2 in flight + 1 queued) and then waits
  // for a buffer, so it reads no further (lookups stop).
  const controller = new AbortController();
  let lookups = 0;
  let uploads = 0;
  const run = pool.run({
    absolute,
    file,
    compression: "auto",
    lookup: () => {
      lookups++;
      return null;
    },
    query: async () => false,
    upload: (_x) =>
      new Promise<void>((_, reject) => {
        uploads++;
        controller.signal.addEventListener("abort", () => reject(controller.signal.reason), { once: true });
      }),
    streams: 2,
    signal: controller.signal,
  });
  let settled = false;
  run.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );
  for (let waited = 0; uploads < 2 && waited < 60_000; waited += 50) await sleep(50);
  // Under load the thread may still be reading its third xorb: wait until lookups stop for 1 s.
  for (let last = -1, waited = 0; lookups !== last && waited < 60_000; waited += 1000) {
    last = lookups;
    await sleep(1000);
  }
  t.notOk(settled, "the pass waits for its uploads");
  const stalled = lookups;
  await sleep(500);
  t.equal(lookups, stalled, "no more reads while every buffer is out");
  t.equal(uploads, 2, "two uploads in flight, the third xorb queued");
  t.ok(lookups > 0 && lookups < 40 * 16, `stopped early (${lookups} chunks looked up)`);
  controller.abort(new Error("paused"));
  await t.rejects(run, { message: "paused" });
  await sleep(200);
  t.equal(lookups, stalled, "nothing read after the abort");

  // A failed upload fails the pass with that error, and the thread is free for the next pass.
  const failing = pool.run({
    absolute,
    file,
    compression: "auto",
    lookup: () => null,
    query: async () => false,
    upload: async () => {
      throw new Error("CAS said no");
    },
    streams: 2,
    signal: new AbortController().signal,
  });
  await t.rejects(failing, { message: "CAS said no" });
  let sent = 0;
  const ok = await pool.run({
    absolute,
    file,
    compression: "auto",
    lookup: () => null,
    query: async () => false,
    upload: async (x) => {
      sent += x.body.length;
    },
    streams: 2,
    signal: new AbortController().signal,
  });
  t.ok(
    ok.built.length > bytes.length / XORB_TARGET_BYTES &&
      ok.built.every((x) => x.serializedLength <= XORB_TARGET_BYTES),
    `a 64 MiB random file is ${ok.built.length} xorbs of ≤ one segment (3 buffers, recycled)`,
  );
  t.ok(sent >= bytes.length, "every byte was sent");
});

t.test("passes on one thread share its xorb buffer budget and all finish", async (t) => {
  const dir = t.testdir();
  const files = [1, 2].map((seed) => {
    const bytes = noise(40 * MiB, 10 + seed);
    const absolute = join(dir, `f${seed}.bin`);
    writeFileSync(absolute, bytes);
    return {
      absolute,
      file: {
        path: `f${seed}.bin`,
        size: bytes.length,
        sha256: createHash("sha256").update(bytes).digest("hex"),
      },
    };
  });
  const pool = new XetPassPool({ workers: 1, bufferBudget: 2 });
  t.teardown(() => pool.close());
  let out = 0;
  let maxOut = 0;
  const gate: Array<() => void> = [];
  const runs = files.map(({ absolute, file }) =>
    pool.run({
      absolute,
      file,
      compression: "auto",
      lookup: () => null,
      query: async () => false,
      upload: async () => {
        out++;
        maxOut = Math.max(maxOut, out);
        await new Promise<void>((r) => gate.push(r));
        out--;
      },
      streams: 2,
      signal: new AbortController().signal,
    }),
  );
  for (let waited = 0; gate.length < 2 && waited < 60_000; waited += 50) await sleep(50);
  await sleep(500);
  t.equal(gate.length, 2, "2 uploads started, then both passes wait: the thread's 2 buffers are out");
  const release = setInterval(() => gate.shift()?.(), 5);
  t.teardown(() => clearInterval(release));
  const results = await Promise.all(runs);
  clearInterval(release);
  // Whole: every byte of each file is in its xorbs (of one segment each, XORB_TARGET_BYTES).
  t.same(
    results.map((r) => r.built.reduce((n, x) => n + x.unpackedLength, 0)),
    files.map((f) => f.file.size),
    `both files were passed whole (40 MiB = ${results[0]?.built.length} xorbs each)`,
  );
  t.ok(maxOut <= 2, `never more uploads at once than buffers (saw ${maxOut})`);
});

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

t.test("the memory budget bounds the pass threads and their xorb buffers", async (t) => {
  const perThread = XET_THREAD_BYTES + 2 * XORB_TARGET_BYTES;
  t.same(passPoolShape(2, XET_MEMORY_BUDGET_BYTES), { threads: 2, buffers: 4 }, "the default on 2 cores");
  t.same(passPoolShape(64, XET_MEMORY_BUDGET_BYTES), { threads: 2, buffers: 4 }, "64 cores: not 64 threads");
  t.same(passPoolShape(1, XET_MEMORY_BUDGET_BYTES).threads, 1, "never more threads than cores");
  t.same(passPoolShape(8, 3 * perThread), { threads: 3, buffers: 6 }, "3 threads' worth");
  t.same(
    passPoolShape(8, 1),
    { threads: 1, buffers: 2 },
    "a tiny budget still runs one thread with 2 buffers",
  );
  for (const cores of [1, 2, 4, 16, 128]) {
    for (const budget of [perThread, 2 * perThread + 7 * XORB_TARGET_BYTES, 10 * perThread]) {
      const { threads, buffers } = passPoolShape(cores, budget);
      const bytes = threads * XET_THREAD_BYTES + buffers * XORB_TARGET_BYTES;
      if (bytes > budget) t.fail(`${cores} cores, budget ${budget}: ${bytes} bytes`);
    }
  }

  // A pool asked for 8 threads under a 2-thread budget runs 4 files on 2 threads.
  const dir = t.testdir();
  const files = [1, 2, 3, 4].map((seed) => {
    const bytes = noise(3 * MiB, 20 + seed);
    const absolute = join(dir, `g${seed}.bin`);
    writeFileSync(absolute, bytes);
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    return { absolute, file: { path: `g${seed}.bin`, size: bytes.length, sha256 } };
  });
  const pool = new XetPassPool({ workers: 8, memoryBudget: 2 * perThread });
  t.teardown(() => pool.close());
  t.equal(pool.size, 2, "the pool's size is what the budget allows");
  let peakThreads = 0;
  const results = await Promise.all(
    files.map(({ absolute, file }) =>
      pool.run({
        absolute,
        file,
        compression: "auto",
        lookup: () => null,
        query: async () => false,
        upload: async () => {
          peakThreads = Math.max(peakThreads, pool.threads);
          await sleep(20);
        },
        streams: 2,
        signal: new AbortController().signal,
      }),
    ),
  );
  t.equal(results.length, 4, "every file passed");
  t.equal(peakThreads, 2, "4 files at once on 2 threads");
});
