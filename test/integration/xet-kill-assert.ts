import type { Test } from "tap";
import type { Moment } from "./xet-kill-moments.js";
import { runXetKill, testSeed } from "./xet-kill-run.js";

const MiB = 1024 * 1024;

/** The assertions of issue 15's resume proof on one seeded SIGKILL (test/integration/xet-kill-run.ts). */
export async function assertXetKill(t: Test, moment: Moment): Promise<void> {
  const seed = testSeed();
  t.comment(
    `seed ${seed} (replay: HUBPUSH_TEST_SEED=${seed} npx tap test/integration/xet-kill-${moment}.test.ts)`,
  );
  const v = await runXetKill(moment, seed);
  t.comment(
    `${v.title}: ${v.storedAtKill} xorbs stored at the kill, ${v.sentTwice} sent twice, ${v.shardsRegistered} files registered; ${(v.totalBytes / MiB).toFixed(0)} MiB in ${(v.wallMs / 1000).toFixed(1)} s`,
  );
  const ctx = { seed };
  t.equal(v.signal, "SIGKILL", "the kill landed on a running upload", ctx);
  t.ok(v.hit, `the kill hit the moment: ${v.title}`, ctx);
  t.equal(v.secondCode, 0, `the resumed upload completes\n${v.secondStderr}`, ctx);
  t.same(v.different, [], "every file downloads byte-identical", ctx);
  t.equal(v.identical.length, 3, "all three files were downloaded", ctx);
  t.same(v.resentStored, [], "no xorb recorded as stored before the kill was sent again", ctx);
  t.ok(
    v.sentTwice <= v.streams,
    `xorbs sent twice (${v.sentTwice}) ≤ upload streams (${v.streams}: XORB_STREAMS × files in flight)`,
    ctx,
  );
  t.same(
    v.shardConflicts,
    [],
    "each file registered by exactly one shard content (the CAS store holds no second, different shard for it)",
    ctx,
  );
  t.equal(v.shardsRegistered, 3, "every file version has a registered shard", ctx);
  t.same(v.integrity, ["ok"], "journal integrity_check", ctx);
  t.same(
    v.xetStates,
    ["committed", "committed", "committed"],
    "every file version's Xet state is committed",
    ctx,
  );
}
