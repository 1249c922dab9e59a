import { createBLAKE3, type IHasher } from "hash-wasm";
import { Blake3Simd } from "./blake3-simd.js";

/** §3.1 keys, raw byte order. */
const DATA_KEY = hex("6697f5775b9550de3135cbaca597181c9de421109beb2b58b4d0b04b93adf229");
const INTERNAL_NODE_KEY = hex("017ec5c7a5472996fd946666b48a02e65ddd536f37c76dd2f86352e64a53713f");
const VERIFICATION_KEY = hex("7f1857d6ce56ed66127ff913e7a5c3f3a4cd26d5b5db49e64124987f28fb94c3");
const ZERO_KEY = new Uint8Array(32);

function hex(text: string): Uint8Array {
  return Uint8Array.from(Buffer.from(text, "hex"));
}

/** One (hash, length) element of a Merkle list (§3.4): a chunk, or a node of a lower level. */
export interface HashedLength {
  readonly hash: Uint8Array;
  readonly length: number;
}

/**
 * The keyed-BLAKE3 hashes of xet-protocol.md §3, synchronous once loaded. hash-wasm (§10.3) only
 * creates hashers asynchronously, so `loadXetHasher()` builds one per key up front and every call
 * after that re-initializes it (init() keeps the key). Chunk hashes of 4..128 KiB — nearly every CDC
 * chunk — go through Blake3Simd (four BLAKE3 chunks per WebAssembly SIMD instruction stream), about
 * twice as fast as hash-wasm's one-block-at-a-time loop; the same bytes give the same hash.
 */
export class XetHasher {
  private constructor(
    private readonly data: IHasher,
    private readonly node: IHasher,
    private readonly verification: IHasher,
    private readonly zero: IHasher,
    private readonly simd: Blake3Simd | null,
  ) {}

  /** A node's text: at most 9 children (groupSize) × (64 hex + " : " + ≤ 16 digits + "\n"). */
  private readonly line = new Uint8Array(9 * 84);

  static async create(): Promise<XetHasher> {
    const [data, node, verification, zero] = await Promise.all([
      createBLAKE3(256, DATA_KEY),
      createBLAKE3(256, INTERNAL_NODE_KEY),
      createBLAKE3(256, VERIFICATION_KEY),
      createBLAKE3(256, ZERO_KEY),
    ]);
    return new XetHasher(data, node, verification, zero, Blake3Simd.create(DATA_KEY));
  }

  /** §3.3 */
  chunkHash(bytes: Uint8Array): Uint8Array {
    if (this.simd && Blake3Simd.fits(bytes.length)) return this.simd.hash(bytes);
    return run(this.data, bytes);
  }

  /** §3.4: the xorb hash of its (chunk hash, uncompressed length) list. */
  merkleHash(items: readonly HashedLength[]): Uint8Array {
    if (items.length === 0) return new Uint8Array(32);
    let level: readonly HashedLength[] = items;
    while (level.length > 1) {
      const next: HashedLength[] = [];
      let i = 0;
      while (i < level.length) {
        const size = groupSize(level, i);
        next.push(this.nodeOf(level, i, i + size));
        i += size;
      }
      level = next;
    }
    return (level[0] as HashedLength).hash;
  }

  /** §3.5: zero-keyed hash of the Merkle root over all the file's chunks; empty file → zeros. */
  fileHash(chunks: readonly HashedLength[]): Uint8Array {
    if (chunks.length === 0) return new Uint8Array(32);
    return run(this.zero, this.merkleHash(chunks));
  }

  /** §3.6: over the concatenated raw chunk hashes of one term. */
  verificationHash(chunkHashes: readonly Uint8Array[]): Uint8Array {
    this.verification.init();
    for (const h of chunkHashes) this.verification.update(h);
    return this.verification.digest("binary");
  }

  /**
   * §3.4 node: keyed hash of `"{hash string} : {length}\n"` per child, written as bytes straight into
   * one reused buffer (building the text with hash strings cost ≈ 40 µs per 1,000 chunks on both the
   * client, which hashes every file twice, and the emulator, which checks every xorb and shard).
   */
  private nodeOf(level: readonly HashedLength[], start: number, end: number): HashedLength {
    const line = this.line;
    let at = 0;
    let length = 0;
    for (let k = start; k < end; k++) {
      const item = level[k] as HashedLength;
      at = writeHashText(line, at, item.hash);
      line[at++] = 0x20; // " : "
      line[at++] = 0x3a;
      line[at++] = 0x20;
      at = writeDecimal(line, at, item.length);
      line[at++] = 0x0a;
      length += item.length;
    }
    return { hash: run(this.node, line.subarray(0, at)), length };
  }
}

/** §3.4 cut rule: the group ends at the first position 2..8 whose hash mod 4 = 0, else 9 (or the tail). */
function groupSize(level: readonly HashedLength[], start: number): number {
  const remaining = level.length - start;
  if (remaining <= 2) return remaining;
  const last = Math.min(9, remaining);
  for (let k = 2; k < last; k++) {
    const h = (level[start + k] as HashedLength).hash;
    if (((h[24] as number) & 3) === 0) return k + 1;
  }
  return last;
}

const HEX_DIGITS = Uint8Array.from(Buffer.from("0123456789abcdef", "latin1"));

/** hashToString's text (§3.2: each 8-byte group as a little-endian u64 in hex) as latin1 bytes. */
function writeHashText(out: Uint8Array, at: number, hash: Uint8Array): number {
  if (hash.length !== 32) throw new RangeError(`A Xet hash has 32 bytes, not ${hash.length}.`);
  let o = at;
  for (let group = 0; group < 4; group++) {
    for (let i = 7; i >= 0; i--) {
      const b = hash[group * 8 + i] as number;
      out[o++] = HEX_DIGITS[b >>> 4] as number;
      out[o++] = HEX_DIGITS[b & 15] as number;
    }
  }
  return o;
}

/** A non-negative integer in decimal digits. */
function writeDecimal(out: Uint8Array, at: number, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`Not a length: ${value}.`);
  const digits = String(value);
  for (let i = 0; i < digits.length; i++) out[at + i] = digits.charCodeAt(i);
  return at + digits.length;
}

function run(hasher: IHasher, bytes: Uint8Array): Uint8Array {
  hasher.init();
  hasher.update(bytes);
  return hasher.digest("binary");
}

/** BLAKE3 keyed with an arbitrary 32-byte key (§3.7 HMAC, salted file hash). */
export class XetKeyedHasher {
  private constructor(private readonly hasher: IHasher) {}

  static async create(key: Uint8Array): Promise<XetKeyedHasher> {
    return new XetKeyedHasher(await createBLAKE3(256, key));
  }

  hash(bytes: Uint8Array): Uint8Array {
    return run(this.hasher, bytes);
  }
}

let shared: Promise<XetHasher> | undefined;

/** The process-wide hasher (WASM instances are cheap to reuse; creating them is async). */
export function loadXetHasher(): Promise<XetHasher> {
  shared ??= XetHasher.create();
  return shared;
}
