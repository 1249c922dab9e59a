import { createCipheriv, createHash } from "node:crypto";

/**
 * Deterministic pseudo-random bytes (an AES-128-CTR keystream keyed by `label`): several MiB per
 * millisecond, and the same label always gives the same content, so a seed replays the same files.
 */
export function seededBytes(label: string, size: number): Buffer {
  const key = createHash("sha256").update(label).digest().subarray(0, 16);
  const cipher = createCipheriv("aes-128-ctr", key, Buffer.alloc(16));
  return Buffer.concat([cipher.update(Buffer.alloc(size)), cipher.final()]);
}

/** Deterministic printable text (no NUL byte, so the Hub takes it as a regular file below the threshold). */
export function seededText(label: string, size: number): Buffer {
  if (size === 0) return Buffer.alloc(0);
  const header = Buffer.from(`${label}\n`);
  const body = Buffer.from(seededBytes(label, Math.ceil((size * 3) / 4) + 3).toString("base64"));
  return Buffer.concat([header, body]).subarray(0, size);
}
