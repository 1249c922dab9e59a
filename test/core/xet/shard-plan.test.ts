import t from "tap";
import { planShards, SHARD_BUDGET_BYTES } from "../../../core/xet/shard-plan.js";
import { hashToString } from "../../../xet/hash-string.js";
import { parseShard, type ShardFile, type ShardXorb, shardSize, writeShard } from "../../../xet/shard.js";

/** Distinct fake hashes (the planner never looks inside them). */
function hash(tag: number, n: number): Uint8Array {
  const h = new Uint8Array(32);
  h[0] = tag;
  new DataView(h.buffer).setUint32(4, n, true);
  return h;
}

function xorb(n: number, chunks: number): ShardXorb {
  return {
    hash: hash(1, n),
    chunks: Array.from({ length: chunks }, (_, i) => ({
      hash: hash(2, n * 10_000 + i),
      start: i * 100,
      length: 100,
      flags: 0,
    })),
    unpackedBytes: chunks * 100,
    bytesOnDisk: chunks * 108,
  };
}

function file(terms: number): ShardFile {
  return {
    fileHash: hash(3, terms),
    sha256: hash(4, terms),
    terms: Array.from({ length: terms }, (_, i) => ({
      xorbHash: hash(1, i),
      unpackedBytes: 100,
      start: 0,
      end: 1,
      verification: hash(5, i),
    })),
  };
}

t.test("fits in one: exactly the unsplit shard", async (t) => {
  const f = file(3);
  const xs = [xorb(0, 128), xorb(1, 128), xorb(2, 40)];
  t.equal(SHARD_BUDGET_BYTES, 64 * 1024 * 1024, "the default budget is the CAS's 64 MiB");
  t.same(planShards(f, xs), [{ files: [f], xorbs: xs }]);
  t.same(planShards(f, []), [{ files: [f], xorbs: [] }], "a file that built no xorb");
});

t.test("over the budget: CAS-only shards first, the file in the last, each ≤ budget", async (t) => {
  const f = file(20);
  const xs = Array.from({ length: 10 }, (_, i) => xorb(i, 30 + i));
  const budget = 4096;
  const shards = planShards(f, xs, budget);
  t.ok(shards.length > 3, `${shards.length} shards`);
  for (const [i, s] of shards.entries()) {
    const body = writeShard(s);
    t.ok(body.length <= budget, `shard ${i}: ${body.length} ≤ ${budget} bytes`);
    t.equal(body.length, shardSize(s), "shardSize agrees with writeShard");
    t.same(parseShard(body), s, `shard ${i} parses back`);
  }
  t.same(
    shards.map((s) => s.files.length),
    [...Array(shards.length - 1).fill(0), 1],
    "only the last shard names the file (posted after every CAS-only shard)",
  );
  t.same(
    shards.flatMap((s) => s.xorbs.map((x) => hashToString(x.hash))),
    xs.map((x) => hashToString(x.hash)),
    "every xorb exactly once, in build order",
  );
  t.same(
    planShards(f, xs, budget).map((s) => Buffer.from(writeShard(s)).toString("hex")),
    shards.map((s) => Buffer.from(writeShard(s)).toString("hex")),
    "the same input gives the same bodies (a re-run re-posts them identically)",
  );
});

t.test("the file goes alone when it does not fit beside the last xorbs", async (t) => {
  const f = file(20); // 48 × (1 + 40 + 1) = 2,016 bytes of file record
  const xs = [xorb(0, 60)]; // 48 × 61 = 2,928 bytes of CAS entry
  const shards = planShards(f, xs, 144 + 2928 + 100);
  t.same(shards, [
    { files: [], xorbs: xs },
    { files: [f], xorbs: [] },
  ]);
  const together = planShards(f, xs, 144 + 2928 + 2016);
  t.same(together, [{ files: [f], xorbs: xs }], "exactly at the budget it still fits");
});

t.test("a file record over the budget cannot be split: a clear error", async (t) => {
  t.throws(() => planShards(file(100), [], 4096), { code: "ERR_XET_SHARD_TOO_LARGE", message: /100 terms/ });
  t.throws(() => planShards(file(1), [xorb(0, 200)], 4096), { code: "ERR_XET_SHARD_TOO_LARGE" });
});
