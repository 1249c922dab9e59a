import { XetFormatError } from "./xet-format-error.js";

/**
 * xet-protocol.md §3.2: a hash is 32 raw bytes; its text form is four little-endian u64 values,
 * each printed as 16 hex digits, so every 8-byte group is written byte-reversed.
 */
export function hashToString(raw: Uint8Array): string {
  if (raw.length !== 32)
    throw new XetFormatError("BAD_HASH_TEXT", `A Xet hash has 32 bytes, not ${raw.length}.`);
  let out = "";
  for (let group = 0; group < 4; group++) {
    for (let i = 7; i >= 0; i--) out += HEX[raw[group * 8 + i] as number];
  }
  return out;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
const HASH_TEXT = /^[0-9a-fA-F]{64}$/;

/** True when `text` is 64 hex digits (either case), the only form accepted in URLs and JSON. */
export function isHashString(text: string): boolean {
  return HASH_TEXT.test(text);
}

/** Inverse of hashToString; throws BAD_HASH_TEXT on anything but 64 hex digits. */
export function hashFromString(text: string): Uint8Array {
  if (!isHashString(text)) {
    throw new XetFormatError("BAD_HASH_TEXT", `"${text.slice(0, 80)}" is not a Xet hash (64 hex digits).`);
  }
  const raw = new Uint8Array(32);
  for (let group = 0; group < 4; group++) {
    for (let i = 0; i < 8; i++) {
      const pos = group * 16 + (7 - i) * 2;
      raw[group * 8 + i] = Number.parseInt(text.slice(pos, pos + 2), 16);
    }
  }
  return raw;
}

/** "hash mod n" of §3.2: the last 8 raw bytes as a little-endian u64, mod n. */
export function hashMod(raw: Uint8Array, n: number): number {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  return Number(view.getBigUint64(24, true) % BigInt(n));
}

/** Same bytes as hashToString of the digest: the usual SHA-256 hex, stored group-reversed (§3.2). */
export function sha256HexToRaw(hex: string): Uint8Array {
  return hashFromString(hex);
}
