import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import t, { type Test } from "tap";
import { type Harness, startHarness, WRITE_TOKEN } from "../../helpers/engine-harness.js";
import { noise } from "../../helpers/noise.js";
import { downloadRemoteFile } from "../../helpers/remote-repo.js";

/**
 * Shards over the budget are split (§5.8), end to end: real engine, journal and emulator CAS, with
 * the 64 MiB budget lowered (EngineTuning.xetShardBytes) and xorbs cut at 8 MiB (xetXorbBytes) so a
 * 20 MiB file needs three shards. Each
 * of its three 8 MiB xorbs has a CAS entry of ~6 KB; with an 8 KiB budget each gets a shard, and the
 * file's record rides in the last one.
 */
const MiB = 1024 * 1024;
const BUDGET = 8 * 1024;

interface ShardPost {
  readonly oid: string;
  readonly status: number;
  readonly bytesIn: number;
  readonly fault: string | null;
}

function shardPosts(h: Harness): ShardPost[] {
  return readFileSync(h.accessLog, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as ShardPost & { route: string })
    .filter((r) => r.route === "xet-shard");
}

async function uploadSplit(t: Test, faults?: string) {
  const h = await startHarness({
    emulator: { lfsThresholdBytes: 0, ...(faults === undefined ? {} : { faults }) },
    tuning: { xetShardBytes: BUDGET, xetXorbBytes: 8 * MiB },
  });
  t.teardown(() => h.close());
  const bytes = noise(20 * MiB, 77);
  writeFileSync(path.join(h.folder, "big.bin"), bytes);
  const job = h.add("user/xet-split");
  t.equal((await h.engine.whenSettled(job.id)).state, "done", "the job finished");
  const scanned = h.journal.files.find(job.id, "big.bin");
  const record = scanned === null ? null : h.journal.xet.getFile(scanned.id, scanned.sha256 ?? "");
  t.equal(record?.state, "committed", "the file version went through shard_registered to committed");
  const repo = { endpoint: h.emulator.url, id: "user/xet-split", token: WRITE_TOKEN };
  t.ok((await downloadRemoteFile(repo, "big.bin")).equals(bytes), "the file downloads identical");
  return { h, posts: shardPosts(h) };
}

/** The shard bodies (by SHA-256) of the clean run; the run with a lost answer must send only these. */
let cleanIds: string[] = [];

t.test("a shard over the budget is split into several, each within it", async (t) => {
  const { posts } = await uploadSplit(t);
  const stored = posts.filter((p) => p.status === 200);
  cleanIds = stored.map((p) => p.oid).sort();
  t.equal(stored.length, 3, "three shards for three xorbs");
  t.equal(new Set(stored.map((p) => p.oid)).size, 3, "three different bodies");
  for (const p of stored) t.ok(p.bytesIn <= BUDGET, `a shard of ${p.bytesIn} bytes ≤ ${BUDGET}`);
});

t.test("an answer lost between two shards: the re-run re-posts the same bodies", async (t) => {
  // The second shard is registered but its answer is lost: to the client, a crash between shards.
  const { posts } = await uploadSplit(t, "route=xet-shard,kind=lost,count=1,after=1");
  t.ok(
    posts.some((p) => p.fault === "lost"),
    "the fault fired",
  );
  t.same(
    [...new Set(posts.map((p) => p.oid))].sort(),
    cleanIds,
    "the same three bodies as the clean run, and no other shard",
  );
  t.ok(posts.length > 3, `${posts.length} shard posts: the registered ones were re-sent (idempotent)`);
  for (const p of posts) t.ok(p.bytesIn <= BUDGET, `a shard of ${p.bytesIn} bytes ≤ ${BUDGET}`);
});
