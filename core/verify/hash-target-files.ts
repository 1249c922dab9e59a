import pLimit from "p-limit";
import type { ScannedFile } from "../../storage/journal.js";
import type { HashPool } from "../hash/hash-pool.js";
import { type HashLookup, type LocalHash, LocalHasher } from "./local-hasher.js";

export type OkHash = Extract<LocalHash, { ok: true }>;

export interface HashedFiles {
  /** Hashed files, in the order given. */
  readonly hashed: OkHash[];
  /** Files that could not be read (changed while read, vanished, unreadable). */
  readonly problems: Array<{ readonly path: string; readonly code: string; readonly message: string }>;
  readonly filesHashed: number;
  readonly bytesHashed: number;
  readonly filesFromJournal: number;
}

export interface HashTargetFilesOptions {
  readonly root: string;
  readonly lookup: HashLookup | null;
  readonly pool: HashPool;
  /** Bytes read so far and the bytes to read in all (files the journal answers for excluded). */
  readonly onProgress?: (done: number, total: number) => void;
  readonly signal?: AbortSignal;
}

/**
 * Local oids of `files` (verify and plan): journal hashes where the stat is unchanged, the hash
 * pool for the rest, twice as many files in flight as the pool has threads so none waits idle.
 */
export async function hashTargetFiles(
  files: readonly ScannedFile[],
  options: HashTargetFilesOptions,
): Promise<HashedFiles> {
  const { lookup, signal } = options;
  let total = 0;
  for (const f of files) if (lookup?.get(f.path)?.mtimeNs !== f.mtimeNs) total += f.size;
  let done = 0;
  const hasher = new LocalHasher({
    root: options.root,
    lookup,
    pool: options.pool,
    onHashed: (bytes) => {
      done += bytes;
      options.onProgress?.(done, Math.max(done, total));
    },
    ...(signal ? { signal } : {}),
  });
  const limit = pLimit(options.pool.size * 2);
  const results = await Promise.all(files.map((f) => limit(() => hasher.hash(f))));
  const hashed: OkHash[] = [];
  const problems: HashedFiles["problems"] = [];
  for (const r of results) {
    if (r.ok) hashed.push(r);
    else problems.push({ path: r.path, code: r.code, message: r.message });
  }
  return {
    hashed,
    problems,
    filesHashed: hasher.filesHashed,
    bytesHashed: hasher.bytesHashed,
    filesFromJournal: hasher.filesFromJournal,
  };
}
