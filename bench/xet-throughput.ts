/**
 * Xet client throughput on one core: CDC chunking, chunk hashing (keyed BLAKE3) and xorb building
 * with compression, against node:crypto SHA-256 over the same bytes in the same run.
 *
 *   nice node --import tsx bench/xet-throughput.ts [--mib 256] [--rounds 3] [--data random|floats]
 *
 * Stages are cumulative: "chunk" = CDC only; "chunk+hash" adds chunk hashes and the xorb Merkle
 * hashes; "chunk+hash+compress" also builds xorbs with the per-chunk LZ4 / BG4+LZ4 choice ("auto").
 * ratio = stage MB/s ÷ sha256 MB/s. Best of `rounds` per stage. The bar: ≥ 250 MB/s for
 * chunk+hash+compress on incompressible data (`--data random`). Xorbs are serialized into two
 * recycled 64 MiB buffers, as a pipeline does once a xorb is uploaded; "(fresh 64 MiB buffers)"
 * repeats the last stage with a new buffer per xorb (the page faults of fresh memory included).
 */
import { createCipheriv, createHash } from "node:crypto";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { Chunker } from "../xet/chunker.js";
import type { CompressionChoice } from "../xet/compression.js";
import { loadXetHasher, type XetHasher } from "../xet/xet-hasher.js";
import { XORB_MAX_BYTES, XorbBuilder } from "../xet/xorb.js";

const MiB = 1024 * 1024;
const { values } = parseArgs({
  options: {
    mib: { type: "string", default: "256" },
    rounds: { type: "string", default: "3" },
    data: { type: "string", default: "random" },
    compression: { type: "string", default: "auto" },
  },
});
const total = Math.max(8, Number(values.mib)) * MiB;
const rounds = Math.max(1, Number(values.rounds));
const compression = values.compression as CompressionChoice;

function makeData(): Buffer {
  const out = createCipheriv("aes-256-ctr", Buffer.alloc(32, 1), Buffer.alloc(16)).update(
    Buffer.alloc(total),
  );
  if (values.data === "floats") {
    for (let i = 0; i + 4 <= total; i += 4)
      out.writeFloatLE(Math.sin(i / 4096) * ((out[i] as number) / 255), i);
  }
  return out;
}

/** Two xorb buffers taking turns, as a pipeline recycles a buffer once its xorb is uploaded. */
const pool = [new Uint8Array(XORB_MAX_BYTES), new Uint8Array(XORB_MAX_BYTES)];
let turn = 0;
const newBuilder = (recycle: boolean): XorbBuilder =>
  new XorbBuilder(compression, recycle ? { buffer: pool[turn++ % 2] } : {});

/** Feeds the data in 1 MiB reads, as a file stream would. */
function run(data: Buffer, hasher: XetHasher | null, compress: boolean, recycle = true): number {
  const chunker = new Chunker();
  let builder = newBuilder(recycle);
  let chunks = 0;
  const take = (c: Uint8Array): void => {
    chunks++;
    if (!hasher) return;
    const h = hasher.chunkHash(c);
    if (!compress) return;
    if (builder.tryAdd(h, c) < 0) {
      builder.build(hasher);
      builder = newBuilder(recycle);
      builder.tryAdd(h, c);
    }
  };
  for (let at = 0; at < data.length; at += MiB)
    for (const c of chunker.push(data.subarray(at, at + MiB))) take(c);
  const last = chunker.finish();
  if (last) take(last);
  if (hasher && compress && builder.chunkCount > 0) builder.build(hasher);
  return chunks;
}

function best(fn: () => void): number {
  let fastest = Number.POSITIVE_INFINITY;
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    fn();
    fastest = Math.min(fastest, performance.now() - t0);
  }
  return total / 1e6 / (fastest / 1000);
}

const data = makeData();
const hasher = await loadXetHasher();
let chunkCount = 0;
const sha = best(() => {
  const h = createHash("sha256");
  for (let at = 0; at < data.length; at += MiB) h.update(data.subarray(at, at + MiB));
  h.digest();
});
const chunk = best(() => {
  chunkCount = run(data, null, false);
});
const chunkHash = best(() => run(data, hasher, false));
const full = best(() => run(data, hasher, true));
const fresh = best(() => run(data, hasher, true, false));
const fmt = (mbs: number): string => `${mbs.toFixed(0).padStart(6)} MB/s  ratio ${(mbs / sha).toFixed(2)}`;
process.stdout.write(
  [
    `xet-throughput: ${total / MiB} MiB of ${values.data} data, ${chunkCount} chunks (mean ${(total / chunkCount / 1024).toFixed(1)} KiB), compression ${compression}, best of ${rounds}, load ${loadavg()[0]?.toFixed(2)}`,
    `  sha256 (node:crypto)     ${sha.toFixed(0).padStart(6)} MB/s  (baseline)`,
    `  chunk                    ${fmt(chunk)}`,
    `  chunk+hash               ${fmt(chunkHash)}`,
    `  chunk+hash+compress      ${fmt(full)}`,
    `    (fresh 64 MiB buffers)  ${fmt(fresh)}`,
    "",
  ].join("\n"),
);
