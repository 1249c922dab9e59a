import { compressFrameSync, decompressFrameSync } from "lz4-napi";
import { XetFormatError } from "./xet-format-error.js";

/** Chunk compression schemes on the wire (xet-protocol.md §4.1; 99 "auto" never travels). */
export const Scheme = { None: 0, LZ4: 1, BG4LZ4: 2 } as const;
export type Scheme = (typeof Scheme)[keyof typeof Scheme];

/** Which schemes the builder tries: "auto" brute-forces LZ4 and BG4+LZ4 per chunk, as [JS] does. */
export type CompressionChoice = "none" | "lz4" | "bg4-lz4" | "auto";

/** §4.2 byte grouping: group g holds the bytes at positions ≡ g (mod 4), groups 0..3 concatenated. */
export function bg4Split(data: Uint8Array): Uint8Array {
  const n = data.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (let g = 0; g < 4; g++) {
    for (let i = g; i < n; i += 4) out[at++] = data[i] as number;
  }
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

/** LZ4 *frame* (magic 04 22 4D 18) via lz4-napi, which wraps lz4_flex as hf_xet does (§4.2). */
export function lz4Frame(data: Uint8Array): Uint8Array {
  return compressFrameSync(asBuffer(data));
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
  if (choice === "lz4" || choice === "auto") {
    const lz4 = lz4Frame(data);
    if (lz4.length < best.bytes.length) best = { scheme: Scheme.LZ4, bytes: lz4 };
  }
  if (choice === "bg4-lz4" || choice === "auto") {
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
    raw = decompressFrameSync(asBuffer(bytes));
  } catch (err) {
    throw new XetFormatError(
      "BAD_COMPRESSION",
      `Chunk data is not a valid LZ4 frame: ${(err as Error).message}`,
    );
  }
  return scheme === Scheme.BG4LZ4 ? bg4Join(raw) : raw;
}
