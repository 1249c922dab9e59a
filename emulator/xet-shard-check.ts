import { createHash } from "node:crypto";
import { hashFromString, hashMod, hashToString } from "../xet/hash-string.js";
import { parseShard, type Shard } from "../xet/shard.js";
import { XetFormatError } from "../xet/xet-format-error.js";
import type { HashedLength } from "../xet/xet-hasher.js";
import { HubError } from "./hub-error.js";
import type { XetCas } from "./xet-cas.js";
import type { StoredFile, StoredTerm, StoredXorb } from "./xet-store.js";

function bad(message: string): HubError {
  return new HubError(400, "BadShard", message);
}

/** Parses the shard; format errors become 400 with the parser's message. */
export function parseUploadedShard(body: Uint8Array): Shard {
  try {
    return parseShard(body);
  } catch (err) {
    if (err instanceof XetFormatError) throw bad(err.message);
    throw err;
  }
}

function storedXorb(cas: XetCas, hash: string, where: string): StoredXorb {
  const x = cas.store.getXorb(hash);
  if (!x) throw bad(`${where} names xorb ${hash}, which is not stored: upload every xorb before the shard.`);
  return x;
}

/**
 * The §5.8 checks of an uploaded shard, in order: CAS-section xorbs exist and match what was stored;
 * every file term names a stored xorb, a valid chunk range, the right unpacked size and the right
 * verification hash; the file hash recomputes; the SHA-256 metadata is present (git repos need it).
 * Returns the files to register. Footer values are ignored (§5.5).
 */
export function checkShard(cas: XetCas, shard: Shard): StoredFile[] {
  const { hasher } = cas;
  shard.xorbs.forEach((x, i) => {
    const hash = hashToString(x.hash);
    const stored = storedXorb(cas, hash, `CAS entry ${i}`);
    let total = 0;
    const same =
      stored.chunks.length === x.chunks.length &&
      x.chunks.every((c, k) => {
        const s = stored.chunks[k];
        const ok = s !== undefined && s[0] === hashToString(c.hash) && s[1] === c.length && c.start === total;
        total += c.length;
        return ok;
      });
    if (!same || x.unpackedBytes !== total) {
      throw bad(
        `CAS entry ${i} (xorb ${hash}) does not match the stored xorb's chunk hashes, lengths or offsets.`,
      );
    }
  });
  return shard.files.map((f, i) => {
    const fileHash = hashToString(f.fileHash);
    const where = `file ${i} (${fileHash})`;
    if (!f.sha256) throw bad(`${where} has no SHA-256 metadata entry; git repos require it.`);
    const chunks: HashedLength[] = [];
    const terms: StoredTerm[] = f.terms.map((t, k) => {
      const xorb = hashToString(t.xorbHash);
      const stored = storedXorb(cas, xorb, `${where} term ${k}`);
      if (!(t.start < t.end && t.end <= stored.chunks.length)) {
        throw bad(
          `${where} term ${k}: chunk range [${t.start}, ${t.end}) is not inside xorb ${xorb} (${stored.chunks.length} chunks).`,
        );
      }
      const range = stored.chunks.slice(t.start, t.end).map(([text, length]) => ({ text, length }));
      const raw = range.map((c) => hashFromString(c.text));
      const bytes = range.reduce((sum, c) => sum + c.length, 0);
      if (bytes !== t.unpackedBytes)
        throw bad(`${where} term ${k}: unpacked bytes ${t.unpackedBytes}, the chunks hold ${bytes}.`);
      if (!t.verification)
        throw bad(`${where} term ${k} has no verification entry; uploads must carry them.`);
      if (hashToString(hasher.verificationHash(raw)) !== hashToString(t.verification)) {
        throw bad(
          `${where} term ${k}: the verification hash does not match xorb ${xorb} chunks [${t.start}, ${t.end}).`,
        );
      }
      for (const [n, hash] of raw.entries())
        chunks.push({ hash, length: (range[n] as { length: number }).length });
      return { xorb, start: t.start, end: t.end, bytes };
    });
    if (hashToString(hasher.fileHash(chunks)) !== fileHash) {
      throw bad(`${where}: file reconstruction does not produce this hash.`);
    }
    const size = terms.reduce((sum, t) => sum + t.bytes, 0);
    return { hash: fileHash, size, sha256: hashToString(f.sha256), terms };
  });
}

/** Chunks that make a registered shard findable by a dedup query (§7.4). */
export function dedupChunks(cas: XetCas, shard: Shard, files: readonly StoredFile[]): string[] {
  const out = new Set<string>();
  for (const f of files) {
    const first = f.terms[0];
    const x = first && cas.store.getXorb(first.xorb);
    const c = x?.chunks[first?.start ?? 0];
    if (c) out.add(c[0]);
  }
  for (const x of shard.xorbs) {
    for (const c of x.chunks)
      if (hashMod(c.hash, 1024) === 0 || (c.flags & 0x80000000) !== 0) out.add(hashToString(c.hash));
  }
  return [...out];
}

export function shardId(body: Uint8Array): string {
  return createHash("sha256").update(body).digest("hex");
}
