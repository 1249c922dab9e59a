import { HASH_BYTES } from "./packed-chunks.js";

const EMPTY = 0;

/**
 * A map from a 32-byte chunk hash to two integers, in typed arrays: what a Xet pass remembers per
 * chunk of a file (where it placed it, or what the lookup answered). A `Map` keyed by the hash's
 * 64-character string cost ≈ 150 bytes per chunk plus a string made per look-up; this costs 40 bytes
 * per entry plus the table (≤ 16 bytes per entry) and allocates nothing per look-up.
 *
 * Open addressing with linear probing; the slot comes from the hash's first 4 bytes (BLAKE3 output
 * is uniform, so the prefix is as good as any hash of it), and a probe compares all 32 bytes in the
 * packed key buffer, so chunks whose prefixes collide stay distinct. Entries are never removed.
 */
export class PackedChunkIndex {
  #keys: Uint8Array;
  #a: Int32Array;
  #b: Int32Array;
  /** Entry number + 1 per slot (0 = empty); its size is a power of two ≥ 2 × capacity. */
  #table: Int32Array;
  #count = 0;

  constructor(capacity = 256) {
    const n = Math.max(8, capacity);
    this.#keys = new Uint8Array(HASH_BYTES * n);
    this.#a = new Int32Array(n);
    this.#b = new Int32Array(n);
    this.#table = new Int32Array(tableSize(n));
  }

  get size(): number {
    return this.#count;
  }

  /** The entry of `hash`, or -1. */
  find(hash: Uint8Array): number {
    const table = this.#table;
    const mask = table.length - 1;
    for (let slot = prefix(hash, 0) & mask; ; slot = (slot + 1) & mask) {
      const e = table[slot] as number;
      if (e === EMPTY) return -1;
      if (this.#sameKey(e - 1, hash)) return e - 1;
    }
  }

  /** The first value of entry `e` (from find). */
  a(e: number): number {
    return this.#a[e] as number;
  }

  /** The second value of entry `e`. */
  b(e: number): number {
    return this.#b[e] as number;
  }

  /** Sets the values of `hash` (adding it when new); returns its entry. */
  set(hash: Uint8Array, a: number, b: number): number {
    if (hash.length !== HASH_BYTES)
      throw new RangeError(`A chunk hash has ${HASH_BYTES} bytes, not ${hash.length}.`);
    let e = this.find(hash);
    if (e < 0) {
      if (this.#count === this.#a.length) this.#grow();
      e = this.#count++;
      this.#keys.set(hash, HASH_BYTES * e);
      this.#insert(e);
    }
    this.#a[e] = a;
    this.#b[e] = b;
    return e;
  }

  #sameKey(e: number, hash: Uint8Array): boolean {
    const keys = this.#keys;
    const at = HASH_BYTES * e;
    for (let k = 0; k < HASH_BYTES; k++) if (keys[at + k] !== hash[k]) return false;
    return true;
  }

  /** Puts entry `e` (its key already stored) into the first free slot of its probe sequence. */
  #insert(e: number): void {
    const table = this.#table;
    const mask = table.length - 1;
    let slot = prefix(this.#keys, HASH_BYTES * e) & mask;
    while (table[slot] !== EMPTY) slot = (slot + 1) & mask;
    table[slot] = e + 1;
  }

  #grow(): void {
    const n = this.#a.length * 2;
    const keys = new Uint8Array(HASH_BYTES * n);
    keys.set(this.#keys);
    this.#keys = keys;
    const a = new Int32Array(n);
    a.set(this.#a);
    this.#a = a;
    const b = new Int32Array(n);
    b.set(this.#b);
    this.#b = b;
    this.#table = new Int32Array(tableSize(n));
    for (let e = 0; e < this.#count; e++) this.#insert(e);
  }
}

function tableSize(capacity: number): number {
  let size = 16;
  while (size < 2 * capacity) size *= 2;
  return size;
}

/** Bytes `at` … `at + 3` as an unsigned little-endian integer. */
function prefix(bytes: Uint8Array, at: number): number {
  return (
    ((bytes[at] as number) |
      ((bytes[at + 1] as number) << 8) |
      ((bytes[at + 2] as number) << 16) |
      ((bytes[at + 3] as number) << 24)) >>>
    0
  );
}
