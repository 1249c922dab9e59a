import path from "node:path";
import type { CachedHashes } from "../../storage/job-hash-cache.js";
import type { FileHashes, FileStat, ScannedFile } from "../../storage/journal.js";
import type { HashPool } from "../hash/hash-pool.js";

/** Where the hashes of a file already are: the journal's rows of the matching job (read-only). */
export interface HashLookup {
  get(path: string): CachedHashes | null;
}

export type LocalHash =
  | ({
      readonly ok: true;
      readonly path: string;
      readonly size: number;
      readonly fromJournal: boolean;
    } & FileHashes)
  | { readonly ok: false; readonly path: string; readonly code: string; readonly message: string };

export interface LocalHasherOptions {
  /** Absolute folder the paths are relative to. */
  readonly root: string;
  readonly lookup: HashLookup | null;
  readonly pool: HashPool;
  /** Called with the bytes of each file hashed (not of files taken from the journal). */
  readonly onHashed?: (bytes: number) => void;
  readonly signal?: AbortSignal;
}

function sameStat(a: FileStat, b: FileStat): boolean {
  return a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs && a.inode === b.inode;
}

/**
 * The local oids of files: the journal's hashes when the file's stat (size, mtime, ctime, inode)
 * is the one they were recorded with, as the upload itself decides; else one read in the hash
 * pool. Counts what it really read, so "verify after upload hashes 0 bytes" can be checked.
 */
export class LocalHasher {
  bytesHashed = 0;
  filesHashed = 0;
  filesFromJournal = 0;
  readonly #options: LocalHasherOptions;

  constructor(options: LocalHasherOptions) {
    this.#options = options;
  }

  async hash(file: ScannedFile): Promise<LocalHash> {
    const cached = this.#options.lookup?.get(file.path) ?? null;
    if (cached !== null && sameStat(cached, file)) {
      this.filesFromJournal += 1;
      return { ok: true, path: file.path, size: file.size, fromJournal: true, ...pick(cached) };
    }
    const outcome = await this.#options.pool.hash(
      path.join(this.#options.root, file.path),
      this.#options.signal,
    );
    if (!outcome.ok) return { ok: false, path: file.path, code: outcome.code, message: outcome.message };
    this.filesHashed += 1;
    this.bytesHashed += outcome.bytesRead;
    this.#options.onHashed?.(outcome.bytesRead);
    return {
      ok: true,
      path: file.path,
      size: outcome.statAfter.size,
      fromJournal: false,
      ...pick(outcome.hashes),
    };
  }
}

function pick(h: FileHashes): FileHashes {
  return { sha256: h.sha256, sha1: h.sha1, sample: h.sample };
}
