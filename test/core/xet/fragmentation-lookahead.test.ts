import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import path from "node:path";
import t from "tap";
import {
  FragmentationGuard,
  GUARD_LOOKAHEAD,
  type GuardTerm,
} from "../../../core/xet/fragmentation-guard.js";
import { chunkCount } from "../../../core/xet/packed-chunks.js";
import { runXetPass } from "../../../core/xet/xet-file-pass.js";
import { chunkBuffer } from "../../../xet/chunker.js";
import { hashToString } from "../../../xet/hash-string.js";
import { loadXetHasher } from "../../../xet/xet-hasher.js";
import { noise } from "../../helpers/noise.js";

/**
 * §7.3 look-ahead ([XC] allow_dedup_on_next_range): while the guard is closed, a dedup range at least
 * as long as the current average chunks per term is still taken; a shorter one is refused.
 */
function termsOf(sizes: readonly number[]): GuardTerm[] {
  let at = 0;
  return sizes.map((n) => {
    const term = { firstChunk: at, lastChunk: at + n - 1 };
    at += n;
    return term;
  });
}

t.test("closed guard: a range longer than the average is taken, one no longer refused", async (t) => {
  const guard = new FragmentationGuard();
  const ones = termsOf(Array(128).fill(1));
  t.notOk(
    guard.allowsNewRange(ones, () => 0),
    "average 1, no range: refused (closes)",
  );
  t.notOk(
    guard.allowsNewRange(ones, () => 1),
    "a 1-chunk range does not raise an average of 1: refused",
  );
  t.ok(
    guard.allowsNewRange(ones, () => 2),
    "a 2-chunk range raises it: taken",
  );
  const threes = termsOf(Array(128).fill(3));
  t.notOk(
    guard.allowsNewRange(threes, () => 3),
    "3 is not above 3: refused",
  );
  t.ok(
    guard.allowsNewRange(threes, () => 4),
    "4 > 3: taken",
  );
  // Taking a range by look-ahead leaves the guard closed: 5.0 (above the low 4) is still refused.
  t.notOk(
    guard.allowsNewRange(termsOf(Array(128).fill(5)), () => 5),
    "still closed: the high threshold applies",
  );
  t.ok(
    guard.allowsNewRange(termsOf(Array(128).fill(7)), () => GUARD_LOOKAHEAD),
    "a full look-ahead beats any average below 8",
  );
  let asked = 0;
  const open = new FragmentationGuard();
  t.ok(
    open.allowsNewRange(termsOf(Array(128).fill(9)), () => {
      asked++;
      return 0;
    }),
  );
  t.equal(asked, 0, "the range is sized only when the average is too low");
});

/** One CDC chunk of exactly 8,192 bytes (fragmentation-pass.test.ts: the trigger cuts at the minimum). */
const TRIGGER = Buffer.from(
  "a90c4bba9bad286da673d16297d901f75185ac25cd7ade13c17072c421d2a8f27b13272149bd54d74b197472bfdea14b844f5ba96d7f88c08c640edb00cf6284",
  "hex",
);
const unit = (seed: number) => Buffer.concat([noise(8128, seed), TRIGGER]);

t.test("a pass takes runs of 8 known chunks while the guard is closed", async (t) => {
  const hasher = await loadXetHasher();
  // A stored xorb "K" holds known units 0..n-1 at indices 0..n-1.
  const knownUnits = Array.from({ length: 800 }, (_, i) => unit(1000 + i));
  const known = new Map(knownUnits.map((u, i) => [hashToString(hasher.chunkHash(u)), i]));
  const K = "ab".repeat(32);
  // Part 1: 200 × (known, new): 400 one-chunk terms, the guard closes (average 1).
  // Part 2: 60 × (8 consecutive known, 1 new): each run is a range of 8 ≥ the average.
  const parts: Buffer[] = [];
  let k = 0;
  for (let i = 0; i < 200; i++) parts.push(knownUnits[k++] as Buffer, unit(50_000 + i));
  const runStart = k;
  for (let r = 0; r < 60; r++) {
    for (let j = 0; j < 8; j++) parts.push(knownUnits[k++] as Buffer);
    parts.push(unit(60_000 + r));
  }
  const bytes = Buffer.concat(parts);
  t.equal(chunkBuffer(bytes.subarray(0, 3 * 8192)).length, 3, "each unit is one chunk (the premise)");
  const dir = t.testdir();
  const file = path.join(dir, "f.bin");
  writeFileSync(file, bytes);
  const result = await runXetPass({
    absolute: file,
    file: { path: "f.bin", size: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex") },
    compression: "none",
    hasher,
    lookup: (h) => {
      const index = known.get(hashToString(h));
      return index === undefined ? null : { xorb: K, index };
    },
    query: async () => false,
    onXorb: async () => {},
    signal: new AbortController().signal,
  });
  const inK = result.terms.filter((x) => x.slot.hash === K);
  const late = inK.filter((x) => x.start >= runStart);
  t.ok(
    late.length >= 55 && late.every((x) => x.end - x.start === 8),
    `${late.length} runs of 8 known chunks were taken as 8-chunk terms after the guard closed`,
  );
  t.ok(
    result.dedupBytes >= 55 * 8 * 8192,
    `${result.dedupBytes} bytes deduplicated (the runs were not sent again)`,
  );
  t.equal(chunkCount(result.chunks), 400 + 60 * 9, "every chunk placed once");
  const early = inK.filter((x) => x.start < runStart).length;
  t.ok(early < 150, `${early} of the first 200 lone known chunks taken: the guard still defragments them`);
});
