import { createHash } from "node:crypto";
import type { HashOutcome } from "../../../core/hash/hash-file.js";

/** The reference: what the Hub expects for these bytes, computed over the whole buffer at once. */
export function expectedHashes(content: Buffer): { sha256: string; sha1: string; sample: string } {
  return {
    sha256: createHash("sha256").update(content).digest("hex"),
    sha1: createHash("sha1").update(`blob ${content.length}\0`).update(content).digest("hex"),
    sample: content.subarray(0, 512).toString("base64"),
  };
}

/** The hashes of a successful outcome; a failure throws with its code, so the test shows why. */
export function hashesOf(outcome: HashOutcome): Extract<HashOutcome, { ok: true }>["hashes"] {
  if (!outcome.ok) throw new Error(`expected a success, got ${outcome.code}: ${outcome.message}`);
  return outcome.hashes;
}
