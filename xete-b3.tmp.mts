import { createBLAKE3 } from "hash-wasm";
import { Blake3Simd } from "./xet/blake3-simd.js";
import { createCipheriv } from "node:crypto";
const key = Buffer.from("6697f5775b9550de3135cbaca597181c9de421109beb2b58b4d0b04b93adf229", "hex");
const N = 128 * 1024 * 1024, C = 65536;
const data = createCipheriv("aes-256-ctr", Buffer.alloc(32, 1), Buffer.alloc(16)).update(Buffer.alloc(N));
const hw = await createBLAKE3(256, key);
const simd = Blake3Simd.create(new Uint8Array(key))!;
const a = (c: Uint8Array) => { hw.init(); hw.update(c); return hw.digest("binary"); };
let bad = 0;
for (const len of [4096, 4097, 5000, 5120, 6143, 6144, 7168, 8191, 8192, 65536, 65537, 100000, 131071, 131072, ...Array.from({length: 200}, (_, i) => 4096 + Math.floor(Math.random() * 127000))]) {
  const d = data.subarray(7, 7 + len);
  if (Buffer.compare(a(d), simd.hash(d)) !== 0) { bad++; if (bad < 5) console.log("MISMATCH", len); }
}
console.log("mismatches", bad);
function bench(name: string, f: (c: Uint8Array) => Uint8Array) {
  let best = Infinity;
  for (let r = 0; r < 3; r++) { const t0 = performance.now(); for (let at = 0; at < N; at += C) f(data.subarray(at, at + C)); best = Math.min(best, performance.now() - t0); }
  console.log(name, (N / 1e6 / (best / 1000)).toFixed(0), "MB/s");
}
bench("hash-wasm", a); bench("simd", (c) => simd.hash(c)); bench("hash-wasm", a); bench("simd", (c) => simd.hash(c));
