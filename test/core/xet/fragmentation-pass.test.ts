import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import t from "tap";
import { chunkBuffer } from "../../../xet/chunker.js";
import { startHarness, WRITE_TOKEN } from "../../helpers/engine-harness.js";
import { noise } from "../../helpers/noise.js";
import { downloadRemoteFile } from "../../helpers/remote-repo.js";

/**
 * §7.3 end to end (real engine, journal and emulator CAS): a file whose chunks alternate between
 * chunks an earlier upload stored and new ones is not cut into one term per chunk.
 *
 * Every "unit" below is exactly one CDC chunk: 8,128 random bytes, then 64 bytes whose gear hash has
 * its top 16 bits zero, so the chunker cuts at 8,192 (the minimum size, §2.2) and nowhere before.
 * That makes the known/new alternation exact at the chunk level with small files.
 */
const TRIGGER = Buffer.from(
  "a90c4bba9bad286da673d16297d901f75185ac25cd7ade13c17072c421d2a8f27b13272149bd54d74b197472bfdea14b844f5ba96d7f88c08c640edb00cf6284",
  "hex",
);

function unit(seed: number): Buffer {
  return Buffer.concat([noise(8128, seed), TRIGGER]);
}

t.test("alternating known and new chunks: the guard keeps terms long", async (t) => {
  const units = 1000;
  const known = Array.from({ length: units }, (_, i) => unit(10_000 + i));
  const a = Buffer.concat(known);
  const b = Buffer.concat(known.flatMap((k, i) => [k, unit(50_000 + i)]));
  t.equal(chunkBuffer(b.subarray(0, 5 * 8192)).length, 5, "each unit is one chunk (the test's premise)");

  const h = await startHarness({ emulator: { lfsThresholdBytes: 0 } });
  t.teardown(() => h.close());
  writeFileSync(path.join(h.folder, "a.bin"), a);
  const first = h.add("user/frag-a");
  t.equal((await h.engine.whenSettled(first.id)).state, "done", "the earlier upload finished");

  rmSync(path.join(h.folder, "a.bin"));
  writeFileSync(path.join(h.folder, "b.bin"), b);
  const second = h.add("user/frag-b");
  t.equal((await h.engine.whenSettled(second.id)).state, "done", "the alternating file uploaded");
  const scanned = h.journal.files.find(second.id, "b.bin");
  const record = scanned === null ? null : h.journal.xet.getFile(scanned.id, scanned.sha256 ?? "");
  const terms = record?.terms ?? [];
  const chunks = 2 * units;
  const average = chunks / Math.max(1, terms.length);
  // Without the guard every chunk is a term of its own (2,000 terms, average 1).
  t.ok(
    terms.length < chunks / 3,
    `${terms.length} terms for ${chunks} chunks (average ${average.toFixed(1)})`,
  );
  t.ok(terms.length > 0 && terms.every((x) => x.end > x.start), "every term holds chunks");
  const stats = h.journal.xet.jobStats(second.id);
  t.ok((stats?.bytesDeduped ?? 0) > 0, `some known chunks were still taken (${stats?.bytesDeduped} B)`);
  const repo = { endpoint: h.emulator.url, id: "user/frag-b", token: WRITE_TOKEN };
  t.ok((await downloadRemoteFile(repo, "b.bin")).equals(b), "the file downloads identical");
});
