import { decompressFrameSync } from "lz4-napi";
import t from "tap";
import { chunkBuffer } from "../../xet/chunker.js";
import {
  bg4Join,
  bg4Split,
  type CompressionChoice,
  compressChunk,
  looksIncompressible,
  lz4Frame,
  Scheme,
} from "../../xet/compression.js";
import { hashToString } from "../../xet/hash-string.js";
import { loadXetHasher } from "../../xet/xet-hasher.js";
import { decodeXorbRange, parseXorb, XORB_MAX_BYTES, XorbBuilder } from "../../xet/xorb.js";
import { splitmix64Bytes } from "./fixtures/splitmix.js";

/** Float-like data: small integers as little-endian u32, so BG4 groups the zero high bytes. */
function floats(n: number): Uint8Array {
  const out = Buffer.alloc(n);
  for (let i = 0; i + 4 <= n; i += 4) out.writeUInt32LE((i * 2654435761) % 1000, i);
  return out;
}

t.test("Appendix B: the hello world xorb body, byte for byte", async (t) => {
  const hasher = await loadXetHasher();
  const b = new XorbBuilder("auto");
  const data = Buffer.from("hello world");
  t.equal(b.tryAdd(hasher.chunkHash(data), data), 0);
  const xorb = b.build(hasher);
  t.equal(Buffer.from(xorb.body).toString("hex"), "000b0000000b000068656c6c6f20776f726c64");
  t.equal(xorb.hashString, "4e39378b9d359f118190557a1f44130219a54e5fcfa07bd96cf50b466fe651b1");
});

t.test("BG4 split/join and the LZ4 frame magic", async (t) => {
  const data = Uint8Array.from({ length: 11 }, (_, i) => i);
  t.same([...bg4Split(data)], [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7]);
  t.same([...bg4Join(bg4Split(data))], [...data]);
  t.equal(
    Buffer.from(lz4Frame(new Uint8Array(1000)))
      .subarray(0, 4)
      .toString("hex"),
    "04224d18",
  );
  t.equal(compressChunk(floats(65_536), "auto").scheme, Scheme.BG4LZ4, "floats pick BG4");
  t.equal(compressChunk(floats(65_536), "best").scheme, Scheme.BG4LZ4, "best agrees");
  t.equal(looksIncompressible(splitmix64Bytes(65_536, 2n)), true, "random data is skipped by auto");
  t.equal(looksIncompressible(floats(65_536)), false, "floats are not");
  t.equal(looksIncompressible(Buffer.alloc(65_536, "text, text, more text. ")), false, "text is not");
  for (const n of [0, 1, 2, 3, 5, 6, 7, 65_537]) {
    const d = Uint8Array.from({ length: n }, (_, i) => (i * 7) & 255);
    t.same([...bg4Join(bg4Split(d))], [...d], `bg4 round trip, ${n} bytes`);
  }
  const frame = lz4Frame(new Uint8Array(131_072).fill(5));
  t.equal(
    Buffer.from(decompressFrameSync(Buffer.from(frame))).equals(Buffer.alloc(131_072, 5)),
    true,
    "own frame decodes",
  );
  t.equal(compressChunk(new Uint8Array(65_536).fill(1), "auto").scheme, Scheme.LZ4, "runs pick LZ4");
  t.equal(compressChunk(splitmix64Bytes(65_536, 1n), "auto").scheme, Scheme.None, "random stays raw");
});

t.test("build → parse round trip for every compression choice", async (t) => {
  const hasher = await loadXetHasher();
  const data = Buffer.concat([splitmix64Bytes(300_000, 5n), floats(300_000), Buffer.alloc(200_000, 7)]);
  const chunks = chunkBuffer(data);
  for (const choice of ["none", "lz4", "bg4-lz4", "auto", "best"] as CompressionChoice[]) {
    const b = new XorbBuilder(choice);
    for (const c of chunks) b.tryAdd(hasher.chunkHash(c), c);
    const xorb = b.build(hasher);
    const decoded: Uint8Array[] = [];
    const parsed = parseXorb(xorb.body, hasher, { onChunk: (_i, d) => decoded.push(d) });
    t.equal(hashToString(parsed.hash), xorb.hashString, `${choice}: same hash`);
    t.equal(Buffer.concat(decoded).equals(data), true, `${choice}: same bytes`);
    t.equal(Buffer.concat(decodeXorbRange(xorb.body)).equals(data), true, `${choice}: range decode`);
    t.same(
      parsed.chunks.map((c) => [c.offset, c.serializedLength]),
      xorb.chunks.map((c) => [c.offset, c.serializedLength]),
    );
    if (choice === "none") t.equal(xorb.body.length, data.length + 8 * chunks.length);
    else t.ok(xorb.body.length < data.length, `${choice} compresses`);
  }
});

t.test("the builder refuses a chunk past 8,192 chunks", async (t) => {
  const hasher = await loadXetHasher();
  const b = new XorbBuilder("none");
  const one = Uint8Array.of(1);
  const h = hasher.chunkHash(one);
  for (let i = 0; i < 8192; i++) b.tryAdd(h, one);
  t.equal(b.tryAdd(h, one), -1);
  t.throws(() => new XorbBuilder().tryAdd(h, new Uint8Array(0)), RangeError);
});

t.test("maxBytes cuts the xorb at the cap; the result parses; bad caps are refused", async (t) => {
  const hasher = await loadXetHasher();
  const cap = 1024 * 1024;
  const b = new XorbBuilder("none", { maxBytes: cap });
  const chunk = splitmix64Bytes(64 * 1024, 7n);
  const h = hasher.chunkHash(chunk);
  let added = 0;
  while (b.tryAdd(h, chunk) >= 0) added++;
  t.equal(added, Math.floor(cap / (64 * 1024 + 8)), "as many chunks as fit under the cap");
  t.ok(b.serializedLength <= cap, "never past the cap");
  const built = b.build(hasher);
  t.equal(parseXorb(built.body, hasher).chunks.length, added, "a cut xorb is a valid xorb");
  t.throws(() => new XorbBuilder("none", { maxBytes: 1000 }), RangeError, "below 1 MiB");
  t.throws(() => new XorbBuilder("none", { maxBytes: XORB_MAX_BYTES + 1 }), RangeError, "above 64 MiB");
  t.throws(
    () => new XorbBuilder("none", { maxBytes: 2 * cap, buffer: new Uint8Array(cap) }),
    RangeError,
    "a caller buffer smaller than the cap",
  );
});

t.test("parseXorb rejects every malformed body (§4.5)", async (t) => {
  const hasher = await loadXetHasher();
  const good = Buffer.from("000b0000000b000068656c6c6f20776f726c64", "hex");
  const withByte = (at: number, value: number): Buffer => {
    const b = Buffer.from(good);
    b[at] = value;
    return b;
  };
  const cases: [string, Buffer, string][] = [
    ["empty", Buffer.alloc(0), "BAD_XORB"],
    ["truncated header", good.subarray(0, 5), "BAD_XORB"],
    ["truncated data", good.subarray(0, 15), "BAD_XORB"],
    ["version 1", withByte(0, 1), "BAD_XORB"],
    ["scheme 7", withByte(4, 7), "BAD_COMPRESSION"],
    ["not an LZ4 frame", withByte(4, 1), "BAD_COMPRESSION"],
    ["length mismatch", withByte(5, 10), "BAD_XORB"],
    ["too large", Buffer.concat([good, good]), "XORB_TOO_LARGE"],
  ];
  for (const [name, body, code] of cases) {
    t.throws(
      () => parseXorb(body, hasher, { maxBytes: name === "too large" ? 20 : undefined }),
      { code },
      name,
    );
  }
  const withFooter = Buffer.concat([good, Buffer.from("XETBLOB\x01", "latin1"), Buffer.alloc(40)]);
  t.equal(parseXorb(withFooter, hasher).chunks.length, 1, "stops at a XETBLOB footer");
});

t.test("a caller buffer gives the same xorb, and is reused in place", async (t) => {
  const hasher = await loadXetHasher();
  const data = Buffer.concat([splitmix64Bytes(300_000, 8n), floats(200_000)]);
  const chunks = chunkBuffer(data);
  const buffer = new Uint8Array(XORB_MAX_BYTES);
  for (const choice of ["none", "auto", "best"] as CompressionChoice[]) {
    const own = new XorbBuilder(choice);
    const pooled = new XorbBuilder(choice, { buffer });
    for (const c of chunks) {
      const h = hasher.chunkHash(c);
      t.equal(pooled.tryAdd(h, c), own.tryAdd(h, c));
    }
    const a = own.build(hasher);
    const b = pooled.build(hasher);
    t.equal(Buffer.from(b.body).equals(Buffer.from(a.body)), true, `${choice}: same body`);
    t.equal(b.body.buffer, buffer.buffer, `${choice}: written into the caller's buffer`);
    t.equal(b.hashString, a.hashString);
  }
  t.throws(() => new XorbBuilder("auto", { buffer: new Uint8Array(1024) }), RangeError);
});
