import { GearScan } from "./gear-scan.js";

export const MIN_CHUNK = 8_192;
export const MAX_CHUNK = 131_072;
/**
 * The hash only depends on the last 64 bytes, so hashing may start at size MIN − 64 − 1 with h = 0
 * and give the same value at every tested position (§2.2 "optimization").
 */
const HASH_FROM = MIN_CHUNK - 64 - 1;

/**
 * Streaming content-defined chunker, xet-protocol.md §2.2 (the current hf_xet rule, including the
 * minimum-size guard of §2.3 that @huggingface/xetchunk-wasm lacks). Feed bytes with push() in any
 * pieces; boundaries do not depend on how the input is split. Returned chunks may be views of the
 * pushed buffers (no copy when a chunk lies inside one buffer), so do not reuse those buffers.
 */
export class Chunker {
  private readonly gear = new GearScan();
  /** Bytes of the unfinished chunk held from earlier pushes. */
  private pending: Uint8Array[] = [];
  /** Size of the unfinished chunk so far (pending plus consumed part of the current buffer). */
  private size = 0;

  push(data: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    if (data.length === 0) return out;
    this.gear.load(data);
    let start = 0; // start of the unfinished chunk's part inside `data`
    let pos = 0;
    while (pos < data.length) {
      if (this.size < HASH_FROM) {
        const skip = Math.min(HASH_FROM - this.size, data.length - pos);
        this.size += skip;
        pos += skip;
        continue;
      }
      const end = Math.min(data.length, pos + (MAX_CHUNK - this.size));
      // Tests are allowed from the byte that makes the chunk MIN_CHUNK long (rule 2).
      const testFrom = pos + Math.max(0, MIN_CHUNK - 1 - this.size);
      const cut = this.gear.find(pos, end, testFrom);
      if (cut >= 0) {
        out.push(this.take(data, start, cut));
        start = pos = cut;
      } else {
        this.size += end - pos;
        pos = end;
        if (this.size === MAX_CHUNK) {
          out.push(this.take(data, start, end));
          start = end;
        }
      }
    }
    if (start < data.length) this.pending.push(data.subarray(start));
    return out;
  }

  /** The last chunk (any size from 1 byte), or null when nothing is left; an empty file has no chunks. */
  finish(): Uint8Array | null {
    if (this.pending.length === 0) return null;
    const last = concat(this.pending);
    this.pending = [];
    this.size = 0;
    this.gear.resetHash();
    return last;
  }

  private take(data: Uint8Array, start: number, end: number): Uint8Array {
    const piece = data.subarray(start, end);
    const chunk = this.pending.length === 0 ? piece : concat([...this.pending, piece]);
    this.pending = [];
    this.size = 0;
    this.gear.resetHash();
    return chunk;
  }
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0] as Uint8Array;
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** All chunks of an in-memory buffer. */
export function chunkBuffer(data: Uint8Array): Uint8Array[] {
  const chunker = new Chunker();
  const chunks = chunker.push(data);
  const last = chunker.finish();
  if (last) chunks.push(last);
  return chunks;
}
