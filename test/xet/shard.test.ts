import { createHash } from "node:crypto";
import t from "tap";
import { hashFromString } from "../../xet/hash-string.js";
import { parseShard, type Shard, writeShard } from "../../xet/shard.js";
import { loadXetHasher } from "../../xet/xet-hasher.js";

async function helloShard(): Promise<Shard> {
  const hasher = await loadXetHasher();
  const hash = hasher.chunkHash(Buffer.from("hello world"));
  const chunk = { hash, length: 11 };
  return {
    files: [
      {
        fileHash: hasher.fileHash([chunk]),
        terms: [
          {
            xorbHash: hash,
            unpackedBytes: 11,
            start: 0,
            end: 1,
            verification: hasher.verificationHash([hash]),
          },
        ],
        sha256: hashFromString("b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"),
      },
    ],
    xorbs: [{ hash, chunks: [{ hash, start: 0, length: 11, flags: 0 }], unpackedBytes: 11, bytesOnDisk: 19 }],
  };
}

t.test("Appendix B: the hello world upload shard, byte for byte", async (t) => {
  const bytes = Buffer.from(writeShard(await helloShard()));
  t.equal(bytes.length, 432);
  t.equal(
    createHash("sha256").update(bytes).digest("hex"),
    "b1c3cab94a28e349ae48136a6db0c374e232d587398d6ade5d04dbcb19918278",
  );
  t.equal(bytes.subarray(48, 96).toString("hex").slice(64), "000000c0010000000000000000000000", "file flags");
});

t.test("parse ∘ write is the identity, with and without footer", async (t) => {
  const shard = await helloShard();
  t.same(parseShard(writeShard(shard)), shard);
  const footer = {
    hmacKey: new Uint8Array(32).fill(3),
    createdAt: 1_700_000_000,
    keyExpiry: 1_700_604_800,
    storedBytesOnDisk: 0,
    materializedBytes: 0,
    storedBytes: 11,
  };
  const withFooter = { ...shard, footer };
  const bytes = Buffer.from(writeShard(withFooter));
  t.equal(bytes.length, 632);
  t.same(parseShard(bytes), withFooter);
  const f = bytes.length - 200;
  t.equal(Number(bytes.readBigUInt64LE(f + 16)), 288, "CAS offset");
  t.equal(Number(bytes.readBigUInt64LE(f + 24)), f, "file lookup offset = footer offset (§5.7)");
  t.equal(Number(bytes.readBigUInt64LE(f + 192)), f, "footer offset");
  const empty = { files: [], xorbs: [] };
  t.same(parseShard(writeShard(empty)), empty, "a shard of nothing");
});

t.test("parseShard rejects malformed shards", async (t) => {
  const good = Buffer.from(writeShard(await helloShard()));
  const withByte = (at: number, value: number): Buffer => {
    const b = Buffer.from(good);
    b[at] = value;
    return b;
  };
  const cases: [string, Buffer][] = [
    ["bad tag", withByte(0, 0)],
    ["version 3", withByte(32, 3)],
    ["footer size 7", withByte(40, 7)],
    ["truncated", good.subarray(0, 400)],
    ["missing bookend", good.subarray(0, 240)],
    ["stray bytes", Buffer.concat([good, Buffer.alloc(48)])],
    ["term count too high", withByte(48 + 36, 9)],
  ];
  for (const [name, bytes] of cases) t.throws(() => parseShard(bytes), { code: "BAD_SHARD" }, name);
  t.throws(() => parseShard(good, 100), { code: "BAD_SHARD", message: /too large/ });
  const two = await helloShard();
  const mixed = {
    ...two,
    files: [
      two.files[0],
      {
        fileHash: new Uint8Array(32).fill(1),
        terms: [{ ...two.files[0]?.terms[0], verification: undefined }],
      },
    ],
  } as Shard;
  t.throws(() => writeShard(mixed), RangeError, "writer refuses verification on only some terms");
  // Hand-craft the mix the writer refuses: flip the verification flag of a second, term-less file.
  const noTerms: Shard = {
    files: [two.files[0] as Shard["files"][0], { fileHash: new Uint8Array(32), terms: [] }],
    xorbs: [],
  };
  const bytes = Buffer.from(writeShard(noTerms));
  bytes.writeUInt32LE(0, 48 + 32); // first file: clear its flags → verification entries become terms…
  t.throws(() => parseShard(bytes), { code: "BAD_SHARD" }, "inconsistent records");
});
