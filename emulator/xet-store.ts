import { randomUUID } from "node:crypto";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type Database from "better-sqlite3";
import type { XorbChunk } from "../xet/xorb.js";

/** A stored xorb's chunk list, as the CAS needs it for shards, dedup and reconstruction. */
export interface StoredXorb {
  readonly hash: string;
  readonly size: number;
  /** [chunk hash string, uncompressed length, serialized offset, serialized length] per chunk. */
  readonly chunks: readonly (readonly [string, number, number, number])[];
}

/** A registered file term (xet-protocol.md §5.3), hashes in string form. */
export interface StoredTerm {
  readonly xorb: string;
  readonly start: number;
  readonly end: number;
  readonly bytes: number;
}

export interface StoredFile {
  readonly hash: string;
  readonly size: number;
  readonly sha256: string;
  readonly terms: readonly StoredTerm[];
}

/**
 * The emulator's CAS storage: xorb bodies as files under `<dataDir>/xet/xorbs`, and in the emulator's
 * SQLite database the chunk lists, registered files (xet hash → terms, size, sha256), registered
 * shards and the global-dedup index (chunk hash → shard). Everything is keyed by content hash, so
 * every write is idempotent, and it all survives a restart on the same data dir.
 */
export class XetStore {
  readonly #dir: string;
  readonly #tmp: string;
  readonly #db: Database.Database;
  /** Parsed chunk lists of recently used xorbs: a fragmented file names the same xorb many times. */
  readonly #xorbCache = new Map<string, StoredXorb>();
  #bySha256: Database.Statement | undefined;

  constructor(dataDir: string, db: Database.Database) {
    this.#dir = join(dataDir, "xet", "xorbs");
    mkdirSync(this.#dir, { recursive: true });
    // Files the LFS bridge was writing when the process died: nothing refers to them.
    this.#tmp = join(dataDir, "xet", "tmp");
    rmSync(this.#tmp, { recursive: true, force: true });
    mkdirSync(this.#tmp, { recursive: true });
    this.#db = db;
    db.exec(`
      CREATE TABLE IF NOT EXISTS xet_xorbs (hash TEXT PRIMARY KEY, size INTEGER NOT NULL, chunks TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS xet_files (hash TEXT PRIMARY KEY, size INTEGER NOT NULL, sha256 TEXT NOT NULL,
        terms TEXT NOT NULL, registered_at INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS xet_files_sha256 ON xet_files (sha256, registered_at);
      CREATE TABLE IF NOT EXISTS xet_shards (hash TEXT PRIMARY KEY, xorbs TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS xet_dedup (chunk TEXT PRIMARY KEY, shard TEXT NOT NULL);
      -- Which shard registered which file: tests check that no file was registered by two shards of
      -- different bytes (a shard is named by the SHA-256 of its body).
      CREATE TABLE IF NOT EXISTS xet_shard_files (shard TEXT NOT NULL, file TEXT NOT NULL,
        PRIMARY KEY (shard, file)) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS xet_repo_switch (repo_id INTEGER PRIMARY KEY, enabled INTEGER NOT NULL);
    `);
  }

  /** The admin switch of one repo (docs/emulator.md "Xet CAS"): true / false, undefined = the default. */
  repoSwitch(repoId: number): boolean | undefined {
    const row = this.#db.prepare("SELECT enabled FROM xet_repo_switch WHERE repo_id = ?").get(repoId) as
      | { enabled: number }
      | undefined;
    return row === undefined ? undefined : row.enabled === 1;
  }

  /** Sets (or with null clears) a repo's admin switch. */
  setRepoSwitch(repoId: number, enabled: boolean | null): void {
    if (enabled === null) this.#db.prepare("DELETE FROM xet_repo_switch WHERE repo_id = ?").run(repoId);
    else {
      this.#db
        .prepare("INSERT OR REPLACE INTO xet_repo_switch (repo_id, enabled) VALUES (?, ?)")
        .run(repoId, enabled ? 1 : 0);
    }
  }

  xorbPath(hash: string): string {
    return join(this.#dir, hash);
  }

  /** A fresh temp file name on the data dir's file system (renamed into the object store after). */
  tempPath(): string {
    return join(this.#tmp, randomUUID());
  }

  getXorb(hash: string): StoredXorb | undefined {
    const cached = this.#xorbCache.get(hash);
    if (cached) return cached;
    const xorb = this.#loadXorb(hash);
    if (xorb) {
      if (this.#xorbCache.size >= 64) this.#xorbCache.delete(this.#xorbCache.keys().next().value as string);
      this.#xorbCache.set(hash, xorb);
    }
    return xorb;
  }

  #loadXorb(hash: string): StoredXorb | undefined {
    const row = this.#db.prepare("SELECT size, chunks FROM xet_xorbs WHERE hash = ?").get(hash) as
      | { size: number; chunks: string }
      | undefined;
    if (!row) return undefined;
    return { hash, size: row.size, chunks: JSON.parse(row.chunks) as StoredXorb["chunks"] };
  }

  /**
   * Stores a validated xorb; false when it was already stored (the first copy is kept, §4.3). The
   * write runs off the event loop (a 64 MiB writeFileSync stalled every other request), into a temp
   * name of its own: two uploads of the same xorb may now overlap, and both write the same bytes.
   */
  async putXorb(
    hash: string,
    body: Uint8Array,
    chunks: readonly XorbChunk[],
    hashText: (h: Uint8Array) => string,
  ): Promise<boolean> {
    if (this.getXorb(hash)) return false;
    const path = this.xorbPath(hash);
    // A file of the right size without a row: a crash came between the rename and the insert.
    if ((await stat(path).catch(() => undefined))?.size !== body.length) {
      const tmp = `${path}.${randomUUID()}.tmp`;
      try {
        await writeFile(tmp, body);
        await rename(tmp, path);
      } catch (err) {
        await rm(tmp, { force: true });
        throw err;
      }
    }
    if (this.getXorb(hash)) return false;
    const list = chunks.map((c) => [hashText(c.hash), c.length, c.offset, c.serializedLength]);
    this.#db
      .prepare("INSERT OR IGNORE INTO xet_xorbs (hash, size, chunks) VALUES (?, ?, ?)")
      .run(hash, body.length, JSON.stringify(list));
    return true;
  }

  readXorbRange(hash: string, start: number, endInclusive: number): Buffer {
    const all = readFileSync(this.xorbPath(hash));
    return all.subarray(start, endInclusive + 1);
  }

  getFile(hash: string): StoredFile | undefined {
    const row = this.#db.prepare("SELECT size, sha256, terms FROM xet_files WHERE hash = ?").get(hash) as
      | { size: number; sha256: string; terms: string }
      | undefined;
    return row && { hash, size: row.size, sha256: row.sha256, terms: JSON.parse(row.terms) as StoredTerm[] };
  }

  /** The Xet file most recently registered for a SHA-256 (§8: several may exist). */
  fileForSha256(sha256: string): StoredFile | undefined {
    // Prepared once: tree listings call this for every LFS entry.
    this.#bySha256 ??= this.#db.prepare(
      "SELECT hash FROM xet_files WHERE sha256 = ? ORDER BY registered_at DESC, rowid DESC LIMIT 1",
    );
    const row = this.#bySha256.get(sha256) as { hash: string } | undefined;
    return row && this.getFile(row.hash);
  }

  hasShard(hash: string): boolean {
    return this.#db.prepare("SELECT 1 FROM xet_shards WHERE hash = ?").get(hash) !== undefined;
  }

  /** Registers a checked shard: its files, the xorbs a dedup answer returns, and its dedup chunks. */
  registerShard(
    shardHash: string,
    files: readonly StoredFile[],
    xorbs: readonly string[],
    dedupChunks: readonly string[],
  ): void {
    const now = Date.now();
    const tx = this.#db.transaction(() => {
      this.#db
        .prepare("INSERT OR IGNORE INTO xet_shards (hash, xorbs) VALUES (?, ?)")
        .run(shardHash, JSON.stringify(xorbs));
      const file = this.#db.prepare(
        "INSERT OR REPLACE INTO xet_files (hash, size, sha256, terms, registered_at) VALUES (?, ?, ?, ?, ?)",
      );
      for (const f of files) file.run(f.hash, f.size, f.sha256, JSON.stringify(f.terms), now);
      const named = this.#db.prepare("INSERT OR IGNORE INTO xet_shard_files (shard, file) VALUES (?, ?)");
      for (const f of files) named.run(shardHash, f.hash);
      const dedup = this.#db.prepare("INSERT OR REPLACE INTO xet_dedup (chunk, shard) VALUES (?, ?)");
      for (const c of dedupChunks) dedup.run(c, shardHash);
    });
    tx();
  }

  /** The xorbs of the shard that registered `chunk` as a dedup entry, or undefined. */
  dedupXorbs(chunk: string): string[] | undefined {
    const row = this.#db
      .prepare("SELECT s.xorbs FROM xet_dedup d JOIN xet_shards s ON s.hash = d.shard WHERE d.chunk = ?")
      .get(chunk) as { xorbs: string } | undefined;
    return row && (JSON.parse(row.xorbs) as string[]);
  }
}
