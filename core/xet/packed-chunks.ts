import type { HashedLength } from "../../xet/xet-hasher.js";

/**
 * A list of chunks (32-byte hash + uncompressed length) as two typed arrays: what a Xet pass keeps
 * per chunk of a file and sends to the main thread. A list of objects cost ≈ 150–450 bytes per chunk
 * (an object and a `Uint8Array` per hash, and again per copy); 16,000 chunks per GiB of file, in
 * every pass thread and again on the main thread, made peak RSS grow with the file size (323 MB on
 * W2x at 4 × 1 GiB). Packed, it is 36 bytes per chunk and clones as two buffers. Plain data, so it
 * crosses `postMessage` as it is.
 */
export interface PackedChunks {
  /** `32 × count` bytes: the chunk hashes in raw form, one after another. */
  readonly hashes: Uint8Array;
  /** `count` uncompressed lengths. */
  readonly lengths: Uint32Array;
}

export const HASH_BYTES = 32;

export function chunkCount(list: PackedChunks): number {
  return list.lengths.length;
}

/** The hash of chunk `i` (a view into the list, not a copy). */
export function hashAt(list: PackedChunks, i: number): Uint8Array {
  return list.hashes.subarray(HASH_BYTES * i, HASH_BYTES * (i + 1));
}

/** Chunks `from` … `to - 1` as (hash, length) items for the hasher (views, made only when needed). */
export function hashedLengths(list: PackedChunks, from = 0, to = chunkCount(list)): HashedLength[] {
  const out: HashedLength[] = [];
  for (let i = from; i < to; i++) out.push({ hash: hashAt(list, i), length: list.lengths[i] as number });
  return out;
}

/** The hashes of chunks `from` … `to - 1` (views). */
export function chunkHashes(list: PackedChunks, from = 0, to = chunkCount(list)): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = from; i < to; i++) out.push(hashAt(list, i));
  return out;
}

/** Packs a list of (hash, length) items. */
export function packChunks(items: readonly HashedLength[]): PackedChunks {
  const builder = new PackedChunkBuilder(items.length);
  for (const item of items) builder.push(item);
  return builder.finish();
}

/** Appends chunks to growing packed arrays (capacity doubles); `finish()` trims to the exact size. */
export class PackedChunkBuilder {
  #hashes: Uint8Array;
  #lengths: Uint32Array;
  #count = 0;

  constructor(capacity = 256) {
    const n = Math.max(1, capacity);
    this.#hashes = new Uint8Array(HASH_BYTES * n);
    this.#lengths = new Uint32Array(n);
  }

  /** Chunks pushed so far (named as an array's, so code written for a chunk array reads the same). */
  get length(): number {
    return this.#count;
  }

  /** Adds a chunk (copying its hash); returns its index. */
  push({ hash, length }: HashedLength): number {
    if (hash.length !== HASH_BYTES)
      throw new RangeError(`A chunk hash has ${HASH_BYTES} bytes, not ${hash.length}.`);
    if (this.#count === this.#lengths.length) this.#grow();
    const i = this.#count++;
    this.#hashes.set(hash, HASH_BYTES * i);
    this.#lengths[i] = length;
    return i;
  }

  /** The hash of chunk `i` (a view: valid as long as the builder lives, also across growth). */
  hashAt(i: number): Uint8Array {
    return this.#hashes.subarray(HASH_BYTES * i, HASH_BYTES * (i + 1));
  }

  /** Exact-size copies of what was pushed. */
  finish(): PackedChunks {
    return {
      hashes: this.#hashes.slice(0, HASH_BYTES * this.#count),
      lengths: this.#lengths.slice(0, this.#count),
    };
  }

  #grow(): void {
    const n = this.#lengths.length * 2;
    const hashes = new Uint8Array(HASH_BYTES * n);
    hashes.set(this.#hashes);
    const lengths = new Uint32Array(n);
    lengths.set(this.#lengths);
    this.#hashes = hashes;
    this.#lengths = lengths;
  }
}
