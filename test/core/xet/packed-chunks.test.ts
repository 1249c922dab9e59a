import { createHash } from "node:crypto";
import t from "tap";
import { PackedChunkIndex } from "../../../core/xet/packed-chunk-index.js";
import {
  chunkCount,
  chunkHashes,
  hashedLengths,
  PackedChunkBuilder,
  packChunks,
} from "../../../core/xet/packed-chunks.js";

function hashOf(n: number): Uint8Array {
  return new Uint8Array(createHash("sha256").update(`chunk ${n}`).digest());
}

/** `count` hashes sharing their first `shared` bytes (so they collide in the index's slot prefix). */
function colliding(count: number, shared: number, seed: number): Uint8Array[] {
  const base = hashOf(seed);
  return Array.from({ length: count }, (_, i) => {
    const h = hashOf(seed * 100_000 + i);
    h.set(base.subarray(0, shared));
    return h;
  });
}

const key = (h: Uint8Array) => Buffer.from(h).toString("hex");

t.test("the packed chunk index answers as a Map over many chunks, colliding prefixes included", async (t) => {
  const index = new PackedChunkIndex(4);
  const reference = new Map<string, [number, number]>();
  // 20,000 random hashes (the table grows many times), 3 groups of 300 with the same first 4, 8
  // and 31 bytes, and hashes that differ only in the last byte.
  const all = [
    ...Array.from({ length: 20_000 }, (_, i) => hashOf(i)),
    ...colliding(300, 4, 1),
    ...colliding(300, 8, 2),
    ...colliding(300, 31, 3),
  ];
  let step = 0;
  for (const h of all) {
    step++;
    index.set(h, step % 7 === 0 ? -1 : step, step * 3);
    reference.set(key(h), [step % 7 === 0 ? -1 : step, step * 3]);
    // Overwrites keep one entry.
    if (step % 11 === 0) {
      index.set(h, step + 1, 5);
      reference.set(key(h), [step + 1, 5]);
    }
  }
  t.equal(index.size, reference.size, "one entry per distinct hash");
  let wrong = 0;
  for (const h of all) {
    const e = index.find(h);
    const want = reference.get(key(h));
    if (e < 0 || want === undefined || index.a(e) !== want[0] || index.b(e) !== want[1]) wrong++;
  }
  t.equal(wrong, 0, `every stored hash gives the Map's values (${all.length} looked up)`);
  // Absent hashes, also with a stored hash's full prefix: not found.
  const absent = [
    ...Array.from({ length: 5_000 }, (_, i) => hashOf(1_000_000 + i)),
    ...colliding(200, 31, 3).map((h) => {
      const c = h.slice();
      c[31] = ((c[31] as number) + 1) % 256;
      return c;
    }),
  ].filter((h) => !reference.has(key(h)));
  t.ok(absent.length > 5_000, "absent hashes to probe");
  t.equal(
    absent.filter((h) => index.find(h) >= 0).length,
    0,
    "a hash never stored is not found, even with the same first 31 bytes",
  );
  t.throws(() => index.set(new Uint8Array(31), 0, 0), RangeError, "a 31-byte hash is refused");
});

t.test("packed chunk lists keep order, hashes and lengths", async (t) => {
  const items = Array.from({ length: 3_000 }, (_, i) => ({ hash: hashOf(i), length: 8192 + i }));
  const builder = new PackedChunkBuilder(1);
  for (const item of items) builder.push(item);
  t.equal(builder.length, 3_000);
  t.same(key(builder.hashAt(2_999)), key(hashOf(2_999)), "hashAt after growth");
  const packed = builder.finish();
  t.equal(chunkCount(packed), 3_000);
  t.equal(packed.hashes.length, 32 * 3_000, "trimmed to the exact size");
  const back = hashedLengths(packed).map((c) => `${key(c.hash)}:${c.length}`);
  t.same(
    back,
    items.map((c) => `${key(c.hash)}:${c.length}`),
    "round trip",
  );
  t.same(
    chunkHashes(packed, 10, 13).map(key),
    items.slice(10, 13).map((c) => key(c.hash)),
    "a range of hashes",
  );
  t.same(packChunks(items), packed, "packChunks gives the same arrays");
});
