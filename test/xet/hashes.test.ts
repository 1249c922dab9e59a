import t from "tap";
import { chunkBuffer } from "../../xet/chunker.js";
import { hashFromString, hashMod, hashToString } from "../../xet/hash-string.js";
import { type HashedLength, loadXetHasher, XetKeyedHasher } from "../../xet/xet-hasher.js";
import { splitmix64Bytes } from "./fixtures/splitmix.js";

const Z = "0".repeat(64);
const A = "cfc5d07f6f03c29bbf424132963fe08d19a37d5757aaf520bf08119f05cd56d6";
const B = "c3e67584b5c4fc2a89837ec39e40f2c8a6bb0b2987ac94cd4b31e5fbdd210a72";
const C = "0d2beb91b9196929a5ddec9f6e306924ddf4a24268e3e59fd8464738d525af37";
const D = "adf8773496a9b7319b2e50dc98093f344053b17d8ad37100b9c07d9805988784";
const E = "4ac202caf347fc1e9c874b1ef6a1c5e619141eb775a6f43f0f0124ccd0060d9e";
const F = "b3b28636f65c149ea52eb1f94669466f70f033b54cea792824c696ba6ef3c389";
const G = "0e2c1a002aae913d2c0fc8ddfa4e9e14b7b311b3b0d458726d5d9f6a6318013c";

const list = (...items: [string, number][]): HashedLength[] =>
  items.map(([h, length]) => ({ hash: hashFromString(h), length }));

t.test("§3.2 string form", async (t) => {
  const raw = Uint8Array.from({ length: 32 }, (_, i) => i);
  // The [SPEC] example as quoted in xet-protocol.md lost the "10" of the third group (62 digits).
  t.equal(hashToString(raw), "07060504030201000f0e0d0c0b0a090817161514131211101f1e1d1c1b1a1918");
  const xc = Buffer.from("16af3a84044b83d6be998a42e20399f2cc5650eaf99950639f50418aece7954e", "hex");
  t.equal(hashToString(xc), "d6834b04843aaf16f29903e2428a99be635099f9ea5056cc4e95e7ec8a41509f");
  t.same(Buffer.from(hashFromString(hashToString(xc))), xc, "round trip");
  t.same(Buffer.from(hashFromString(hashToString(xc).toUpperCase())), xc, "upper case accepted");
  t.throws(() => hashFromString("xyz"), { code: "BAD_HASH_TEXT" });
  t.equal(hashMod(hashFromString(`${"0".repeat(63)}c`), 4), 0);
  t.equal(hashMod(hashFromString(`${"0".repeat(63)}d`), 4), 1);
});

t.test("§3.8 Merkle and file hash table", async (t) => {
  const hasher = await loadXetHasher();
  const rows: [HashedLength[], string, string][] = [
    [[], Z, Z],
    [list([Z, 0]), Z, "638a6bc391964a85939d48f008e8bdbae6a7975e7ca2d87a3ce2492f4e4d8a4c"],
    [list([A, 100]), A, "8e16257caa3fe079d484d872a8975264b2ff683b0d6db9028cc7c0f968a45661"],
    [
      list([A, 100], [B, 200], [C, 300]),
      "71ec1275fca074724e2dd666921b3277c7cee603e4d025bcab2d4050015be2bc",
      "54e55dccc6653c612bdb5576c5d3cb34bb31bc4e100248abccf4c908b3ef7715",
    ],
    [
      list([A, 100], [A, 100], [A, 100], [A, 100]),
      "89f2ada89ff8c96763c6b25010e6dd76a4c05b1466207633ea559acf2093211b",
      "2cdba690d0e09563596e0cda626d43eb4c96ef1e994fe72d9b2f5a83cfcd36dd",
    ],
    [
      list([A, 100], [B, 200], [A, 100], [B, 200]),
      "90f8313ef12df385d237a067aded02562c35ded12116e32eba401dbc86c38031",
      "284ea045e5a579e99c21ec597c20de1fc0c09e7168162aac00db8f61b3d82dbb",
    ],
    [
      list(
        ...([Z, A, B, C, D, E, F, G].flatMap((h, i) => [
          [h, i * 100],
          [h, i * 100],
        ]) as [string, number][]),
      ),
      "636c65db520ec16e8166f9ec7a0cf9f74b26369077ac60160ec0221c86bc9f77",
      "6a90ad0d6f5246ac61f1de898c6944c03e14004a1368e6fb23387108c4d039e0",
    ],
  ];
  for (const [items, xorb, file] of rows) {
    t.equal(hashToString(hasher.merkleHash(items)), xorb, `xorb hash of ${items.length} entries`);
    t.equal(hashToString(hasher.fileHash(items)), file, `file hash of ${items.length} entries`);
  }
});

t.test("§3.7 dedup HMAC", async (t) => {
  const keyed = await XetKeyedHasher.create(
    hashFromString("d6834b04843aaf16f29903e2428a99be635099f9ea5056cc4e95e7ec8a41509f"),
  );
  t.equal(
    hashToString(
      keyed.hash(hashFromString("9502eec19d4b0c9f7b389228fa801f68ecdf15d69ccd1da2f9ddbd0219898335")),
    ),
    "81b34a5179857460a1a5ba079fcf7231c307a19940ccb769e49240df5ec6c466",
  );
});

t.test("self-computed vectors: hello world, empty chunk, vector 2.4-1 as one xorb", async (t) => {
  const hasher = await loadXetHasher();
  const hello = hasher.chunkHash(Buffer.from("hello world"));
  t.equal(hashToString(hello), "4e39378b9d359f118190557a1f44130219a54e5fcfa07bd96cf50b466fe651b1");
  const one = [{ hash: hello, length: 11 }];
  t.equal(hashToString(hasher.merkleHash(one)), hashToString(hello), "one chunk: xorb hash = chunk hash");
  t.equal(
    hashToString(hasher.fileHash(one)),
    "f15edd43b7e85cfd25e2758ffe13b99fdd09dfa817e8d9f6548722a7a126db7f",
  );
  t.equal(
    hashToString(hasher.verificationHash([hello])),
    "22ef2fdcff5cea306e42ad7e15ed8a0c5e789e7d2ec34658c10d2758946847da",
  );
  t.equal(
    hashToString(hasher.chunkHash(new Uint8Array(0))),
    "e0f2cf784e7e5f10c34f84af150e9a5ff9664216debad915364d741049870f67",
  );

  const chunks = chunkBuffer(splitmix64Bytes(1_000_000, 0n)).map((c) => ({
    hash: hasher.chunkHash(c),
    length: c.length,
  }));
  t.same(
    chunks.slice(0, 3).map((c) => hashToString(c.hash)),
    [
      "6eca1e7dadaf08cca5d82d318c800f07c2ddcec115a7e8627e5edd9605b94b8d",
      "624ea34d72a06e5d43a1b8dd10763f0d22f165992c397ed97563899b27fdd88a",
      "4411d2ec847c6e3f451a7451ff3933adb4f1c31587421b9f730b698a78313b47",
    ],
    "upstream chunk hashes",
  );
  t.equal(
    hashToString(hasher.merkleHash(chunks)),
    "6f2ce16ca5e317f0100ff0e7e5bf40a0de9032e9ee1ad04b6b8ff4e36cdfbf6c",
  );
  t.equal(
    hashToString(hasher.fileHash(chunks)),
    "3d17b2d7d64a0e011b6717a52d9a16bd2c3f05b743fa8adf52a7d75dafab6d89",
  );
  t.equal(
    hashToString(hasher.verificationHash(chunks.map((c) => c.hash))),
    "6daf15a7ed258b91f607e8f5e6723a8564292d12c8104c156f7bad9c255a0180",
  );
  t.equal(
    hashToString(hasher.verificationHash(chunks.slice(0, 3).map((c) => c.hash))),
    "9d229909f34de2ef9143bb807ab4862894ff855af45ff18f79063400cb72383a",
  );
});
