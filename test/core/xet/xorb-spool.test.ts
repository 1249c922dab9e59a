import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import t, { type Test } from "tap";
import {
  dropSpool,
  type OutgoingXorb,
  SpooledXorbBuilder,
  xorbPieces,
} from "../../../core/xet/xorb-spool.js";
import { Chunker } from "../../../xet/chunker.js";
import { loadXetHasher } from "../../../xet/xet-hasher.js";
import { parseXorb, XORB_MAX_BYTES, XorbBuilder } from "../../../xet/xorb.js";
import { noise } from "../../helpers/noise.js";

const MiB = 1024 * 1024;

async function bodyOf(t: Test, xorb: OutgoingXorb): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  const source = xorbPieces(xorb);
  for await (const p of source.pieces()) parts.push(Buffer.from(p));
  const body = Buffer.concat(parts);
  t.equal(body.length, source.length, "the source's length is the bytes it yields");
  return body;
}

/**
 * A xorb built in 1 MiB segments spooled to disk is the xorb a one-piece builder makes of the same
 * chunks: same hash, same chunk list (offsets in the whole body), the spool file + last segment
 * byte-identical to the one-piece body, which the CAS-side parser (§4.5) accepts.
 */
t.test("segments spooled to disk make the same xorb as one buffer", async (t) => {
  const hasher = await loadXetHasher();
  const data = noise(5 * MiB + 12_345, 9);
  const chunker = new Chunker();
  const chunks = [...chunker.push(data)];
  const last = chunker.finish();
  if (last !== null) chunks.push(last);
  const dir = t.testdir();
  const path = join(dir, "spool", "1.xorb");
  const spooled = new SpooledXorbBuilder("auto", hasher, {
    segmentBytes: MiB,
    path,
    buffer: new Uint8Array(MiB),
  });
  const whole = new XorbBuilder("auto");
  const got: number[] = [];
  const want: number[] = [];
  for (const c of chunks) {
    const h = hasher.chunkHash(c);
    got.push(await spooled.add(h, c));
    want.push(whole.tryAdd(h, c));
  }
  t.same(got, want, "the same index for every chunk");
  t.equal(spooled.chunkCount, chunks.length);
  const a = await spooled.build();
  const b = whole.build(hasher);
  t.ok(
    a.spool !== undefined && a.spool.bytes >= 4 * MiB - 200_000,
    "the first segments went to the spool file",
  );
  t.equal(a.body.length, 0, "the whole body is in the spool file: the buffer is free");
  t.equal(a.hashString, b.hashString, "same xorb hash");
  t.same(
    a.chunks.map((c) => [c.offset, c.serializedLength, c.length]),
    b.chunks.map((c) => [c.offset, c.serializedLength, c.length]),
    "same chunk offsets in the whole body",
  );
  const body = await bodyOf(t, a);
  t.ok(body.equals(Buffer.from(b.body)), "spool + last segment = the one-piece body");
  t.equal(parseXorb(body, hasher).chunks.length, chunks.length, "the CAS parser accepts it");
  t.equal(readFileSync(path).length, a.spool?.bytes);
  await dropSpool(a);
  t.notOk(existsSync(path), "dropSpool removes the file");
});

t.test("a xorb stops at its cap (segments × segment size) and at 8,192 chunks", async (t) => {
  const hasher = await loadXetHasher();
  const dir = t.testdir();
  // 3 MiB cap in 1 MiB segments: the 4th segment is refused.
  const capped = new SpooledXorbBuilder("none", hasher, {
    segmentBytes: MiB,
    path: join(dir, "a.xorb"),
    maxBytes: 3 * MiB,
  });
  const piece = noise(64 * 1024, 3);
  let n = 0;
  while ((await capped.add(hasher.chunkHash(piece), piece)) >= 0) n++;
  const built = await capped.build();
  t.ok(built.spool !== undefined, "spooled");
  const total = (built.spool?.bytes ?? 0) + built.body.length;
  t.ok(total <= 3 * MiB && total > 3 * MiB - 3 * (64 * 1024 + 8), `${total} bytes: full, within the cap`);
  t.equal(built.chunks.length, n);
  // Tiny chunks: the 8,192-chunk cap (§4.6) comes first.
  const many = new SpooledXorbBuilder("none", hasher, {
    segmentBytes: MiB,
    path: join(dir, "b.xorb"),
    maxBytes: XORB_MAX_BYTES,
  });
  const tiny = new Uint8Array(1024).fill(7);
  const h = hasher.chunkHash(tiny);
  let count = 0;
  while ((await many.add(h, tiny)) >= 0) count++;
  t.equal(count, 8_192, "8,192 chunks, then full");
  // Without a spool path: one segment, as XorbBuilder with maxBytes = segmentBytes.
  const plain = new SpooledXorbBuilder("none", hasher, { segmentBytes: MiB });
  let m = 0;
  while ((await plain.add(hasher.chunkHash(piece), piece)) >= 0) m++;
  t.equal((await plain.build()).spool, undefined, "nothing spooled");
  t.equal(m, Math.floor(MiB / (64 * 1024 + 8)), "cut at one segment");
});

t.test("a spool write that fails is ERR_XET_SPOOL_FAILED (retryable), not a source-file error", async (t) => {
  const hasher = await loadXetHasher();
  const dir = t.testdir({ blocker: "a file where the spool directory should be" });
  const builder = new SpooledXorbBuilder("none", hasher, {
    segmentBytes: MiB,
    path: join(dir, "blocker", "sub", "1.xorb"),
  });
  const piece = noise(64 * 1024, 4);
  const fill = async () => {
    for (let i = 0; i < 40; i++) await builder.add(hasher.chunkHash(piece), piece);
  };
  await t.rejects(fill(), {
    code: "ERR_XET_SPOOL_FAILED",
    retryable: true,
    message: /blocker\/sub\/1\.xorb \(ENOTDIR\)/,
  });
});

t.test("a released upload's read slab serves the next upload; an unreleased one is not reused", async (t) => {
  const hasher = await loadXetHasher();
  const dir = t.testdir();
  const spooledXorb = async (seed: number): Promise<OutgoingXorb> => {
    const builder = new SpooledXorbBuilder("none", hasher, {
      segmentBytes: MiB,
      path: join(dir, `${seed}.xorb`),
      buffer: new Uint8Array(MiB),
    });
    const chunker = new Chunker();
    const data = noise(3 * MiB, seed);
    for (const c of [...chunker.push(data), chunker.finish()])
      if (c) await builder.add(hasher.chunkHash(c), c);
    return await builder.build();
  };
  const slabOf = async (
    source: ReturnType<typeof xorbPieces>,
  ): Promise<{ slab: ArrayBufferLike; body: Buffer }> => {
    const parts: Buffer[] = [];
    let slab: ArrayBufferLike | null = null;
    for await (const p of source.pieces()) {
      slab ??= p.buffer;
      parts.push(Buffer.from(p));
    }
    return { slab: slab as ArrayBufferLike, body: Buffer.concat(parts) };
  };
  const [x1, x2, x3] = [await spooledXorb(1), await spooledXorb(2), await spooledXorb(3)];
  const first = xorbPieces(x1);
  const a = await slabOf(first);
  const b = await slabOf(xorbPieces(x2));
  t.not(b.slab, a.slab, "not released: the next upload reads into a slab of its own");
  first.release();
  const c = await slabOf(xorbPieces(x3));
  t.equal(c.slab, a.slab, "released: the next upload reuses it");
  t.same(
    c.body,
    Buffer.concat([readFileSync(x3.spool?.path ?? ""), x3.body]),
    "and reads its own bytes into it",
  );
});
