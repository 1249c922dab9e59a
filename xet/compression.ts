import { createRequire } from "node:module";
import { XetFormatError } from "./xet-format-error.js";

type Lz4 = typeof import("lz4-napi");
let lz4Module: Lz4 | null = null;
/**
 * lz4-napi (a native addon, ~25 ms to load, plus a 128 KiB compression for the frame header) is loaded
 * on first use: every `hubpush` command imports this module through the Xet pipeline, but only an
 * upload over Xet compresses, and a restart that finds nothing to send must not pay for it (issue 16).
 */
function lz4(): Lz4 {
  lz4Module ??= createRequire(import.meta.url)("lz4-napi") as Lz4;
  return lz4Module;
}

/** Chunk compression schemes on the wire (xet-protocol.md §4.1; 99 "auto" never travels). */
export const Scheme = { None: 0, LZ4: 1, BG4LZ4: 2 } as const;
export type Scheme = (typeof Scheme)[keyof typeof Scheme];

/**
 * Which scheme the builder uses: "auto" predicts per chunk between LZ4 and BG4+LZ4 as [XC] does
 * (one compression per chunk); "best" tries both and keeps the smaller, as [JS] does (twice the
 * work). Every choice falls back to None when compression does not make the chunk smaller.
 */
export type CompressionChoice = "none" | "lz4" | "bg4-lz4" | "auto" | "best";

/** §4.2 byte grouping: group g holds the bytes at positions ≡ g (mod 4), groups 0..3 concatenated. */
export function bg4Split(data: Uint8Array): Uint8Array {
  const n = data.length;
  const out = new Uint8Array(n);
  const q = n >>> 2;
  const r = n & 3;
  // Group g starts after groups 0..g-1; the first r groups hold one extra byte.
  const s1 = q + (r > 0 ? 1 : 0);
  const s2 = s1 + q + (r > 1 ? 1 : 0);
  const s3 = s2 + q + (r > 2 ? 1 : 0);
  for (let i = 0, j = 0; j < q; i += 4, j++) {
    out[j] = data[i] as number;
    out[s1 + j] = data[i + 1] as number;
    out[s2 + j] = data[i + 2] as number;
    out[s3 + j] = data[i + 3] as number;
  }
  const tail = q * 4;
  if (r > 0) out[q] = data[tail] as number;
  if (r > 1) out[s1 + q] = data[tail + 1] as number;
  if (r > 2) out[s2 + q] = data[tail + 2] as number;
  return out;
}

/** Inverse of bg4Split. */
export function bg4Join(grouped: Uint8Array): Uint8Array {
  const n = grouped.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (let g = 0; g < 4; g++) {
    for (let i = g; i < n; i += 4) out[i] = grouped[at++] as number;
  }
  return out;
}

function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * The 7-byte frame header lz4_flex writes for a 128 KiB input (magic, FLG 0x60 = independent blocks
 * without checksums, BD 0x50 = 256 KiB max block, header checksum), taken from lz4-napi itself so the
 * checksum byte is lz4's own. It is valid for every chunk (≤ 128 KiB = one block).
 */
let frameHeader: Uint8Array | null = null;
function frameHeaderBytes(): Uint8Array {
  frameHeader ??= Uint8Array.from(lz4().compressFrameSync(Buffer.alloc(131_072)).subarray(0, 7));
  return frameHeader;
}

/**
 * LZ4 *frame* (magic 04 22 4D 18, §4.2) of one chunk: lz4-napi's block compressor (≈ 3× faster than
 * its frame encoder, which allocates per call) wrapped in a one-block frame: header, block size,
 * block, end mark. Any LZ4 frame decoder reads it (tested against lz4-napi's frame decoder).
 */
export function lz4Frame(data: Uint8Array): Uint8Array {
  // compressSync prepends the uncompressed size (u32 LE) to the raw block.
  const block = lz4().compressSync(asBuffer(data)).subarray(4);
  const out = Buffer.allocUnsafe(7 + 4 + block.length + 4);
  out.set(frameHeaderBytes(), 0);
  out.writeUInt32LE(block.length, 7);
  out.set(block, 11);
  out.writeUInt32LE(0, 11 + block.length);
  return out;
}

const LOG2 = Array.from({ length: 4097 }, (_, c) => (c === 0 ? 0 : Math.log2(c)));

/**
 * True when a chunk looks incompressible: four 1 KiB samples spread over it have a byte entropy above
 * 7.9 bits (uniform random data measures ≈ 7.95 on 4,096 samples; text, floats, runs far lower).
 * LZ4 on such data costs more than hashing it and saves nothing, so "auto" stores it raw. Not in
 * [XC] or [JS]; the scheme is the client's choice (§4.2) and the hash does not depend on it.
 */
export function looksIncompressible(data: Uint8Array): boolean {
  if (data.length < 8192) return false;
  const counts = new Uint16Array(256);
  const step = Math.floor((data.length - 1024) / 3);
  for (let s = 0; s < 4; s++) {
    const from = s * step;
    for (let i = from; i < from + 1024; i++) {
      const b = data[i] as number;
      counts[b] = (counts[b] as number) + 1;
    }
  }
  let sum = 0;
  for (let b = 0; b < 256; b++) {
    const c = counts[b] as number;
    sum += c * (LOG2[c] as number);
  }
  const entropy = 12 - sum / 4096; // log2(4096) − Σ c·log2(c) / N
  return entropy > 7.9;
}

/** Popcount of every byte value, for the scheme predictor. */
const POPCOUNT = Uint8Array.from({ length: 256 }, (_, v) => {
  let c = 0;
  for (let x = v; x > 0; x >>= 1) c += x & 1;
  return c;
});

/**
 * [XC]'s BG4 predictor (§4.2): a 9-bin histogram of per-byte popcounts for each byte position mod 4;
 * BG4 when the largest KL divergence of a position's histogram from the pooled one exceeds 0.02 —
 * i.e. when the 4 byte lanes look different, as in arrays of floats or integers.
 */
export function prefersBg4(data: Uint8Array): boolean {
  const hist = new Float64Array(36);
  const n = data.length - (data.length & 3);
  const bump = (k: number): void => {
    hist[k] = (hist[k] as number) + 1;
  };
  for (let i = 0; i < n; i += 4) {
    bump(POPCOUNT[data[i] as number] as number);
    bump(9 + (POPCOUNT[data[i + 1] as number] as number));
    bump(18 + (POPCOUNT[data[i + 2] as number] as number));
    bump(27 + (POPCOUNT[data[i + 3] as number] as number));
  }
  const pooled = new Float64Array(9).fill(1);
  for (let k = 0; k < 36; k++) pooled[k % 9] = (pooled[k % 9] as number) + (hist[k] as number);
  const pooledTotal = pooled.reduce((a, b) => a + b, 0);
  let maxKl = 0;
  for (let lane = 0; lane < 4; lane++) {
    let total = 0;
    for (let b = 0; b < 9; b++) total += (hist[lane * 9 + b] as number) + 1;
    let kl = 0;
    for (let b = 0; b < 9; b++) {
      const p = ((hist[lane * 9 + b] as number) + 1) / total;
      kl += p * Math.log(p / ((pooled[b] as number) / pooledTotal));
    }
    maxKl = Math.max(maxKl, kl);
  }
  return maxKl > 0.02;
}

/**
 * Compresses one chunk with the given choice; falls back to None when compression does not make the
 * chunk strictly smaller (§4.2, both clients).
 */
export function compressChunk(
  data: Uint8Array,
  choice: CompressionChoice,
): { scheme: Scheme; bytes: Uint8Array } {
  let best: { scheme: Scheme; bytes: Uint8Array } = { scheme: Scheme.None, bytes: data };
  if (choice === "auto") choice = prefersBg4(data) ? "bg4-lz4" : "lz4";
  if (choice === "lz4" || choice === "best") {
    const lz4 = lz4Frame(data);
    if (lz4.length < best.bytes.length) best = { scheme: Scheme.LZ4, bytes: lz4 };
  }
  if (choice === "bg4-lz4" || choice === "best") {
    const bg4 = lz4Frame(bg4Split(data));
    if (bg4.length < best.bytes.length) best = { scheme: Scheme.BG4LZ4, bytes: bg4 };
  }
  return best;
}

/** Decodes one chunk's data; throws BAD_COMPRESSION on an unknown scheme or a broken frame. */
export function decompressChunk(scheme: number, bytes: Uint8Array): Uint8Array {
  if (scheme === Scheme.None) return bytes;
  if (scheme !== Scheme.LZ4 && scheme !== Scheme.BG4LZ4) {
    throw new XetFormatError("BAD_COMPRESSION", `Unknown chunk compression scheme ${scheme}.`);
  }
  let raw: Uint8Array;
  try {
    raw = lz4().decompressFrameSync(asBuffer(bytes));
  } catch (err) {
    throw new XetFormatError(
      "BAD_COMPRESSION",
      `Chunk data is not a valid LZ4 frame: ${(err as Error).message}`,
    );
  }
  return scheme === Scheme.BG4LZ4 ? bg4Join(raw) : raw;
}
