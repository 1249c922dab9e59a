import { existsSync } from "node:fs";
import Database from "better-sqlite3";

export interface FileRow {
  readonly id: number;
  readonly path: string;
  readonly size: number;
  readonly state: string;
  readonly hashCount: number;
  readonly uploadMode: string | null;
  readonly sha256: string | null;
}

export interface StateCount {
  readonly files: number;
  readonly bytes: number;
}

/**
 * Reads a hubpush journal (SQLite, WAL) from outside, read-only, while hubpush runs or after it
 * was killed: counts per state, per-file hash counts, journaled multipart parts, commit batches.
 * The bench reads the tables directly (docs/journal.md describes them) so that the process being
 * measured is not disturbed by anything but a second reader.
 */
export class JournalProbe {
  readonly #db: Database.Database;

  private constructor(db: Database.Database) {
    this.#db = db;
  }

  /** null until hubpush has created the journal and its schema. */
  static open(file: string): JournalProbe | null {
    if (!existsSync(file)) return null;
    try {
      const db = new Database(file, { readonly: true, fileMustExist: true });
      db.pragma("busy_timeout = 2000");
      db.prepare("SELECT 1 FROM job_counts LIMIT 1").get();
      return new JournalProbe(db);
    } catch {
      return null; // created but not migrated yet
    }
  }

  /** Files and bytes per file state, summed over jobs (one job per bench home). */
  counts(): Record<string, StateCount> {
    const rows = this.#db
      .prepare("SELECT state, SUM(files) AS files, SUM(bytes) AS bytes FROM job_counts GROUP BY state")
      .all() as Array<{ state: string; files: number; bytes: number }>;
    return Object.fromEntries(rows.map((r) => [r.state, { files: r.files, bytes: r.bytes }]));
  }

  job(): { bytesHashed: number; commitsMade: number; scanGeneration: number; lastScanAt: number | null } {
    const row = this.#db
      .prepare(
        "SELECT SUM(bytes_hashed) AS b, SUM(commits_made) AS c, MAX(scan_generation) AS g, MAX(last_scan_at) AS s FROM jobs",
      )
      .get() as { b: number | null; c: number | null; g: number | null; s: number | null };
    return {
      bytesHashed: row.b ?? 0,
      commitsMade: row.c ?? 0,
      scanGeneration: row.g ?? 0,
      lastScanAt: row.s,
    };
  }

  files(): FileRow[] {
    return this.#db
      .prepare(
        "SELECT id, path, size, state, hash_count AS hashCount, upload_mode AS uploadMode, sha256 FROM files",
      )
      .all() as FileRow[];
  }

  /** Multipart uploads in progress: the file, its oid, chunk size, parts planned and parts done. */
  multipart(): Array<{ fileId: number; oid: string; chunkSize: number; parts: number; done: number[] }> {
    const uploads = this.#db
      .prepare("SELECT file_id AS fileId, oid, chunk_size AS chunkSize, part_urls AS urls FROM lfs_uploads")
      .all() as Array<{ fileId: number; oid: string; chunkSize: number; urls: string }>;
    const parts = this.#db.prepare("SELECT part_number AS n FROM lfs_parts WHERE file_id = ? ORDER BY n");
    return uploads.map((u) => ({
      fileId: u.fileId,
      oid: u.oid,
      chunkSize: u.chunkSize,
      parts: (JSON.parse(u.urls) as unknown[]).length,
      done: (parts.all(u.fileId) as Array<{ n: number }>).map((p) => p.n),
    }));
  }

  /** Commit batches per state (sent, unknown, committed, failed, reconciled). */
  commitsByState(): Record<string, { batches: number; files: number }> {
    const rows = this.#db
      .prepare("SELECT state, COUNT(*) AS batches, SUM(file_count) AS files FROM commits GROUP BY state")
      .all() as Array<{ state: string; batches: number; files: number }>;
    return Object.fromEntries(rows.map((r) => [r.state, { batches: r.batches, files: r.files }]));
  }

  close(): void {
    this.#db.close();
  }
}
