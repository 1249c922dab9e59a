import {
  type Blake3Exports,
  CHUNK_END,
  CHUNK_START,
  CV_AT,
  IN_AT,
  KEY_AT,
  KEYED_HASH,
  newKernel,
  OUT_AT,
  PARENT,
  ROOT,
  SCRATCH_AT,
  SIMD_MAX_INPUT,
} from "./blake3-kernel.js";

export { SIMD_MAX_INPUT };

/**
 * Keyed BLAKE3 for one Xet chunk (4..128 KiB) with WebAssembly SIMD. hash-wasm's portable BLAKE3
 * (one block at a time) was the slowest stage of chunk + hash + compress; the kernel
 * (blake3-kernel.ts) compresses four BLAKE3 chunks, or four parent nodes, per call. This side
 * drives the tree: the input goes into the kernel's memory, full groups of four chunks through
 * chunks4, the remaining chunks and the tail one block at a time through compress1, then the
 * parent levels pairwise (parents4 four at a time, compress1 for the rest), the root last.
 */

/** Keyed BLAKE3-256 of inputs of 4 KiB .. 128 KiB (SIMD_MAX_INPUT); one instance per key. */
export class Blake3Simd {
  private readonly x: Blake3Exports;
  private readonly bytes: Uint8Array;

  private constructor(kernel: Blake3Exports, key: Uint8Array) {
    this.x = kernel;
    this.bytes = new Uint8Array(this.x.memory.buffer);
    this.bytes.set(key, KEY_AT);
  }

  /** null when WebAssembly SIMD is unavailable. */
  static create(key: Uint8Array): Blake3Simd | null {
    if (key.length !== 32) throw new RangeError("A BLAKE3 key has 32 bytes.");
    const kernel = newKernel();
    return kernel ? new Blake3Simd(kernel, key) : null;
  }

  /** Whether hash() takes this length (at least one group of four BLAKE3 chunks, ≤ 128 KiB). */
  static fits(length: number): boolean {
    return length >= 4096 && length <= SIMD_MAX_INPUT;
  }

  hash(data: Uint8Array): Uint8Array {
    const length = data.length;
    if (!Blake3Simd.fits(length)) throw new RangeError(`Blake3Simd hashes 4096..${SIMD_MAX_INPUT} bytes.`);
    const { x, bytes } = this;
    bytes.set(data, IN_AT);
    const full = length >>> 10;
    const groups = full >>> 2;
    for (let g = 0; g < groups; g++) x.chunks4(IN_AT + 4096 * g, 4 * g, CV_AT + 128 * g, KEYED_HASH);
    for (let c = 4 * groups; c < full; c++) this.chunk(c, 1024);
    const tail = length & 1023;
    const count = full + (tail > 0 ? 1 : 0);
    if (tail > 0) this.chunk(full, tail);
    // Pairwise levels, an odd last value carried up: the same tree as BLAKE3's left-full split.
    let n = count;
    while (n > 2) {
      const pairs = n >>> 1;
      const quads = pairs >>> 2;
      for (let j = 0; j < 4 * quads; j += 4)
        x.parents4(CV_AT + 64 * j, 0, CV_AT + 32 * j, KEYED_HASH | PARENT);
      for (let j = 4 * quads; j < pairs; j++)
        x.compress1(KEY_AT, CV_AT + 64 * j, 0, 0, 64, KEYED_HASH | PARENT, CV_AT + 32 * j);
      if (n & 1) bytes.copyWithin(CV_AT + 32 * pairs, CV_AT + 32 * (n - 1), CV_AT + 32 * n);
      n = pairs + (n & 1);
    }
    x.compress1(KEY_AT, CV_AT, 0, 0, 64, KEYED_HASH | PARENT | ROOT, OUT_AT);
    return bytes.slice(OUT_AT, OUT_AT + 32);
  }

  /** One BLAKE3 chunk (≤ 1 KiB) at index `c`, scalar, its chaining value into the CV area. */
  private chunk(c: number, length: number): void {
    const { x, bytes } = this;
    const cv = CV_AT + 32 * c;
    bytes.copyWithin(cv, KEY_AT, KEY_AT + 32);
    const blocks = Math.ceil(length / 64);
    for (let b = 0; b < blocks; b++) {
      let at = IN_AT + 1024 * c + 64 * b;
      const len = Math.min(64, length - 64 * b);
      if (len < 64) {
        bytes.fill(0, SCRATCH_AT, SCRATCH_AT + 64);
        bytes.copyWithin(SCRATCH_AT, at, at + len);
        at = SCRATCH_AT;
      }
      const flags = KEYED_HASH | (b === 0 ? CHUNK_START : 0) | (b === blocks - 1 ? CHUNK_END : 0);
      x.compress1(cv, at, c, 0, len, flags, cv);
    }
  }
}
