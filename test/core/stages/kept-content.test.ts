/**
 * One read for hash and commit content (issue 16 item 1): the bytes a hashing thread read for a
 * small file ride its commit, within a budget, and only while they are still the file's content.
 */
import { randomBytes } from "node:crypto";
import { statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import t from "tap";
import { HashPool } from "../../../core/hash/hash-pool.js";
import { KEEP_MAX_BYTES, KeptContent, keepHashed } from "../../../core/hash/kept-content.js";
import type { CommitStageDeps } from "../../../core/stage-deps.js";
import { buildCommit } from "../../../core/stages/build-commit.js";
import type { FileRecord } from "../../../storage/journal.js";
import type { TapTest } from "../../storage/contract/contract-helpers.js";

interface Fixture {
  readonly dir: string;
  readonly pool: HashPool;
  readonly failures: Array<{ path: string; code: string }>;
  readonly ctx: CommitStageDeps;
  /** Hashes the file through the pool (keeping its bytes, as the hash stage does) and returns its row. */
  hashed(name: string, id: number): Promise<FileRecord>;
}

function fixture(t: TapTest, files: Record<string, string | Buffer>): Fixture {
  const dir = t.testdir(files);
  const pool = new HashPool({ workers: 1 });
  t.teardown(() => pool.close());
  const failures: Array<{ path: string; code: string }> = [];
  // Only what buildCommit reads of its context; the pieces under test (pool, kept bytes, files) are real.
  const ctx = {
    hashPool: pool,
    tuning: { maxInlineBytesPerCommit: 64 * 1024 * 1024 },
    localPath: (rel: string) => join(dir, rel),
    pathInRepo: (rel: string) => rel,
    journal: { files: { releaseLease: () => undefined } },
    recordFailure: (rows: readonly FileRecord[], _lease: string, err: unknown) => {
      for (const row of rows)
        failures.push({ path: row.path, code: String((err as { code?: string }).code) });
    },
  } as unknown as CommitStageDeps;
  return {
    dir,
    pool,
    failures,
    ctx,
    async hashed(name, id) {
      // Bytes are kept only for a file quiet for longer than a clock tick (kept-content.ts).
      await new Promise((resolve) => setTimeout(resolve, 150));
      const size = statSync(join(dir, name)).size;
      const startedMs = Date.now();
      const outcome = await pool.hash(join(dir, name), undefined, { size, keepMaxBytes: KEEP_MAX_BYTES });
      if (!outcome.ok) throw new Error(outcome.message);
      keepHashed(pool.kept, id, outcome, startedMs);
      return {
        ...outcome.statAfter,
        id,
        jobId: 1,
        path: name,
        state: "uploaded",
        sha256: outcome.hashes.sha256,
        sha1: outcome.hashes.sha1,
        sample: outcome.hashes.sample,
        uploadMode: "regular",
        remoteOid: null,
        commitId: null,
        attempts: 0,
        nextAttemptAt: null,
        lastError: null,
        hashCount: 1,
        updatedAt: 0,
      };
    },
  };
}

function contentOf(entry: { operation: { kind: string } } | undefined): Buffer {
  const op = entry?.operation as { kind: string; content?: unknown } | undefined;
  if (op?.kind !== "file" || !Buffer.isBuffer(op.content)) throw new Error("expected inline content");
  return op.content;
}

t.test(
  "a small file's commit carries the bytes its hashing read, byte-identical, without a second read",
  async (t) => {
    const bytes = randomBytes(10_000);
    const f = fixture(t, { "a.txt": bytes, "big.txt": randomBytes(KEEP_MAX_BYTES + 1) });
    const row = await f.hashed("a.txt", 1);
    const big = await f.hashed("big.txt", 2);
    t.equal(f.pool.kept.bytes, bytes.length, "only the small file is kept");
    const entries = await buildCommit(f.ctx, [row, big], "lease");
    t.same(f.failures, []);
    t.ok(contentOf(entries[0]).equals(bytes), "byte-identical to the file");
    t.equal(f.pool.kept.bytes, 0, "the kept bytes were taken by the commit");
    t.ok(contentOf(entries[1]).length === KEEP_MAX_BYTES + 1, "the larger file was read again");
  },
);

t.test("a file changed after hashing is caught: its kept bytes never ride a commit", async (t) => {
  const f = fixture(t, { "a.txt": "version one" });
  const row = await f.hashed("a.txt", 1);
  t.equal(f.pool.kept.bytes, 11);
  writeFileSync(join(f.dir, "a.txt"), "version two"); // same size, new content
  const entries = await buildCommit(f.ctx, [row], "lease");
  t.same(entries, [], "left out of the batch");
  t.same(f.failures, [{ path: "a.txt", code: "ERR_FILE_CHANGED" }], "and sent back to hashing");
  t.equal(f.pool.kept.bytes, 0, "the stale bytes are gone");
});

t.test("kept bytes of an older hash of the file are not used: the file is read again", async (t) => {
  const f = fixture(t, { "a.txt": "version one" });
  const first = await f.hashed("a.txt", 1);
  writeFileSync(join(f.dir, "a.txt"), "version 2");
  // The row was hashed again since (a rescan), but the kept bytes are still those of the first hash.
  const again = await f.pool.hash(join(f.dir, "a.txt"));
  if (!again.ok) throw new Error(again.message);
  t.equal(f.pool.kept.bytes, 11, "the first hash's bytes are still kept");
  const row: FileRecord = {
    ...first,
    ...again.statAfter,
    sha1: again.hashes.sha1,
    sha256: again.hashes.sha256,
  };
  const entries = await buildCommit(f.ctx, [row], "lease");
  t.same(f.failures, []);
  t.equal(contentOf(entries[0]).toString(), "version 2");
});

t.test(
  "a file written just before its hash is not kept (a same-tick write would not show in its stat)",
  async (t) => {
    const f = fixture(t, { "a.txt": "old" });
    const pool = f.pool;
    await pool.hash(join(f.dir, "a.txt")); // the thread is started (seconds under tsx)
    writeFileSync(join(f.dir, "a.txt"), "new");
    const startedMs = Date.now();
    const outcome = await pool.hash(join(f.dir, "a.txt"), undefined, {
      size: 3,
      keepMaxBytes: KEEP_MAX_BYTES,
    });
    t.ok(outcome.ok && outcome.content !== undefined, "the thread returned the bytes");
    t.notOk(keepHashed(pool.kept, 1, outcome, startedMs), "but they are not kept");
    t.equal(pool.kept.bytes, 0);
  },
);

t.test("the budget is respected: what does not fit is not kept, stale entries make room", async (t) => {
  let now = 0;
  const kept = new KeptContent(100, () => now);
  const entry = (n: number) => ({
    bytes: new Uint8Array(n),
    sha1: "x",
    stat: { size: n, mtimeNs: "0", ctimeNs: "0", inode: "1" },
  });
  t.ok(kept.keep(1, entry(60)));
  t.ok(kept.keep(2, entry(40)));
  t.equal(kept.bytes, 100);
  t.notOk(kept.hasRoom(1), "full");
  t.notOk(kept.keep(3, entry(1)), "dropped when full");
  t.equal(kept.bytes, 100);
  t.notOk(kept.hasRoom(KEEP_MAX_BYTES + 1), "too large to keep at all");
  t.equal(kept.take(2)?.bytes.length, 40);
  t.equal(kept.take(2), null, "taken once");
  t.equal(kept.bytes, 60);
  t.ok(kept.keep(3, entry(40)));
  now += 31_000; // entry 1 and 3 are stale now
  t.ok(kept.keep(4, entry(70)), "stale entries were dropped to make room");
  t.equal(kept.bytes, 70);
  t.equal(kept.take(1), null);
  t.equal(kept.take(3), null);
});
