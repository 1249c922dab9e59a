import { createCipheriv } from "node:crypto";
import { createBLAKE3 } from "hash-wasm";
import t from "tap";
import { Blake3Simd, SIMD_MAX_INPUT } from "../../xet/blake3-simd.js";

/**
 * The WebAssembly SIMD keyed BLAKE3 against hash-wasm's (which reproduces every upstream vector,
 * test/xet/hashes.test.ts): every length class of the tree — a multiple of 4 KiB, leftover full
 * BLAKE3 chunks, a partial last chunk, a partial last block — and a sweep of random lengths.
 */
const key = Buffer.from("6697f5775b9550de3135cbaca597181c9de421109beb2b58b4d0b04b93adf229", "hex");
const data = createCipheriv("aes-256-ctr", Buffer.alloc(32, 3), Buffer.alloc(16)).update(
  Buffer.alloc(SIMD_MAX_INPUT + 64),
);

t.test("same hash as hash-wasm for every shape of input", async (t) => {
  const reference = await createBLAKE3(256, key);
  const simd = Blake3Simd.create(Uint8Array.from(key));
  if (!simd) throw new Error("WebAssembly SIMD is missing on Node 20?");
  const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
  const expect = (d: Uint8Array): string => hex(reference.init().update(d).digest("binary"));
  const lengths = [4096, 4097, 4159, 4160, 5120, 6144, 7168, 8191, 8192, 9216, 12_345, 65_536];
  lengths.push(65_537, 130_048, 131_071, SIMD_MAX_INPUT);
  let seed = 7;
  for (let i = 0; i < 150; i++) {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    lengths.push(4096 + (seed % (SIMD_MAX_INPUT - 4096 + 1)));
  }
  const wrong = lengths.filter((n) => {
    const d = data.subarray(n % 61, (n % 61) + n);
    return hex(simd.hash(d)) !== expect(d);
  });
  t.same(wrong, [], `all ${lengths.length} lengths agree`);
  // Stale bytes of a longer input left in the module's memory must not leak into a shorter one.
  simd.hash(data.subarray(0, SIMD_MAX_INPUT));
  const short = Buffer.alloc(4100, 9);
  t.equal(hex(simd.hash(short)), expect(short), "a partial block is zero-padded");
  t.equal(Blake3Simd.fits(4095), false);
  t.equal(Blake3Simd.fits(SIMD_MAX_INPUT + 1), false);
  t.throws(() => simd.hash(new Uint8Array(100)), RangeError);
});
