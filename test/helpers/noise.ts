import { createCipheriv, createHash } from "node:crypto";

/** Deterministic pseudo-random bytes (AES-CTR keystream): fast, and incompressible like real weights. */
export function noise(n: number, seed: number): Buffer {
  const key = createHash("sha256").update(`seed ${seed}`).digest();
  const cipher = createCipheriv("aes-256-ctr", key, Buffer.alloc(16));
  return cipher.update(Buffer.alloc(n));
}
