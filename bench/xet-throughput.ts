/**
 * Xet client throughput on one core: CDC chunking, chunk hashing (keyed BLAKE3) and xorb building
 * with compression, against node:crypto SHA-256 over the same bytes in the same run.
 *
 *   nice node --import tsx bench/xet-throughput.ts [--mib 256] [--rounds 3] [--data random|floats]
 *                                                  [--compression auto] [--before DIR]
 *
 * Stages are cumulative: "chunk" = CDC only; "chunk+hash" adds chunk hashes and the xorb Merkle
 * hashes; "chunk+hash+compress" also builds xorbs with the per-chunk LZ4 / BG4+LZ4 choice ("auto").
 * Xorbs are serialized into two recycled 64 MiB buffers, as a pipeline does once a xorb is uploaded;
 * "(fresh 64 MiB buffers)" repeats the last stage with a new buffer per xorb (the page faults of
 * fresh memory included). `--before DIR` adds the last stage run by an older xet/ (DIR/xet/*.ts;
 * DIR inside the checkout so its imports resolve, e.g. the git-ignored `.tmp-xet-before`:
 * `mkdir .tmp-xet-before && git archive <commit> xet | tar -x -C .tmp-xet-before`): before and
 * after in the same run.
 *
 * Rounds alternate between the stages, so load changes hit all of them alike; each prints its best
 * round twice: MB/s of wall time, and MB per CPU second of this process (user + system) — "per core",
 * which a machine shared with other work does not inflate the way it inflates wall time. ratio =
 * stage ÷ sha256, same measure. The issue's bar: ≥ 250 MB/s per core for chunk+hash+compress on
 * incompressible data (`--data random`).
 */
import { createCipheriv, createHash } from "node:crypto";
import { loadavg } from "node:os";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { Chunker } from "../xet/chunker.js";
import type { CompressionChoice } from "../xet/compression.js";
import { loadXetHasher } from "../xet/xet-hasher.js";
import { XORB_MAX_BYTES, XorbBuilder } from "../xet/xorb.js";

const MiB = 1024 * 1024;
const { values } = parseArgs({
  options: {
    mib: { type: "string", default: "256" },
    rounds: { type: "string", default: "3" },
    data: { type: "string", default: "random" },
    compression: { type: "string", default: "auto" },
    before: { type: "string" },
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

/** The parts of xet/ a pipeline run uses (structural, so an older xet/ tree fits too). */
interface XetParts {
  readonly newChunker: () => { push(d: Uint8Array): Uint8Array[]; finish(): Uint8Array | null };
  readonly hasher: { chunkHash(b: Uint8Array): Uint8Array };
  readonly newBuilder: (recycle: boolean) => {
    tryAdd(h: Uint8Array, d: Uint8Array): number;
    build(hasher: never): unknown;
    readonly chunkCount: number;
  };
}

/** Two xorb buffers taking turns, as a pipeline recycles a buffer once its xorb is uploaded. */
const pool = [new Uint8Array(XORB_MAX_BYTES), new Uint8Array(XORB_MAX_BYTES)];
let turn = 0;
const current: XetParts = {
  newChunker: () => new Chunker(),
  hasher: await loadXetHasher(),
  newBuilder: (recycle) => new XorbBuilder(compression, recycle ? { buffer: pool[turn++ % 2] } : {}),
};

async function olderParts(dir: string): Promise<XetParts> {
  const at = (file: string): string => resolve(dir, "xet", file);
  const c = (await import(at("chunker.ts"))) as { Chunker: new () => ReturnType<XetParts["newChunker"]> };
  const h = (await import(at("xet-hasher.ts"))) as { loadXetHasher(): Promise<XetParts["hasher"]> };
  const x = (await import(at("xorb.ts"))) as {
    XorbBuilder: new (choice: CompressionChoice) => ReturnType<XetParts["newBuilder"]>;
  };
  return {
    newChunker: () => new c.Chunker(),
    hasher: await h.loadXetHasher(),
    newBuilder: () => new x.XorbBuilder(compression),
  };
}

/** Feeds the data in 1 MiB reads, as a file stream would. */
function run(data: Buffer, parts: XetParts, hash: boolean, compress: boolean, recycle = true): number {
  const chunker = parts.newChunker();
  const { hasher } = parts;
  const build = (b: ReturnType<XetParts["newBuilder"]>): unknown => b.build(hasher as never);
  let builder = parts.newBuilder(recycle);
  let chunks = 0;
  const take = (c: Uint8Array): void => {
    chunks++;
    if (!hash) return;
    const h = hasher.chunkHash(c);
    if (!compress) return;
    if (builder.tryAdd(h, c) < 0) {
      build(builder);
      builder = parts.newBuilder(recycle);
      builder.tryAdd(h, c);
    }
  };
  for (let at = 0; at < data.length; at += MiB)
    for (const c of chunker.push(data.subarray(at, at + MiB))) take(c);
  const last = chunker.finish();
  if (last) take(last);
  if (hash && compress && builder.chunkCount > 0) build(builder);
  return chunks;
}

const data = makeData();
let chunkCount = 0;
const stages: [string, () => void][] = [
  [
    "sha256 (node:crypto)",
    () => {
      const h = createHash("sha256");
      for (let at = 0; at < data.length; at += MiB) h.update(data.subarray(at, at + MiB));
      h.digest();
    },
  ],
  ["chunk", () => (chunkCount = run(data, current, false, false))],
  ["chunk+hash", () => run(data, current, true, false)],
  ["chunk+hash+compress", () => run(data, current, true, true)],
  ["  (fresh 64 MiB buffers)", () => run(data, current, true, true, false)],
];
if (values.before !== undefined) {
  const older = await olderParts(values.before);
  stages.push([`  before: ${values.before}`, () => run(data, older, true, true, false)]);
}
const wall = new Map<string, number>();
const cpu = new Map<string, number>();
for (let r = 0; r < rounds; r++) {
  for (const [name, fn] of stages) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    fn();
    const c1 = process.cpuUsage(c0);
    wall.set(name, Math.min(wall.get(name) ?? Number.POSITIVE_INFINITY, performance.now() - t0));
    cpu.set(name, Math.min(cpu.get(name) ?? Number.POSITIVE_INFINITY, (c1.user + c1.system) / 1000));
  }
}
const rate = (ms: number): number => total / 1e6 / (ms / 1000);
const [shaName] = stages[0] as [string, () => void];
const shaWall = rate(wall.get(shaName) as number);
const shaCpu = rate(cpu.get(shaName) as number);
const lines = stages.map(([name]) => {
  const w = rate(wall.get(name) as number);
  const c = rate(cpu.get(name) as number);
  const cols = `${w.toFixed(0).padStart(6)} MB/s (ratio ${(w / shaWall).toFixed(2)})   ${c.toFixed(0).padStart(6)} MB/cpu-s (ratio ${(c / shaCpu).toFixed(2)})`;
  return `  ${name.padEnd(34)} ${cols}`;
});
process.stdout.write(
  [
    `xet-throughput: ${total / MiB} MiB of ${values.data} data, ${chunkCount} chunks (mean ${(total / chunkCount / 1024).toFixed(1)} KiB), compression ${compression}, best of ${rounds} alternating rounds, load ${loadavg()[0]?.toFixed(2)}`,
    `  ${"stage".padEnd(34)} ${"wall".padStart(6)}                   ${"per core".padStart(6)}`,
    ...lines,
    "",
  ].join("\n"),
);
