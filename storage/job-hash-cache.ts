import { existsSync } from "node:fs";
import Database from "better-sqlite3";
import type { FileHashes, FileStat, JobSpec } from "./journal-records.js";

/** Hashes the journal holds for one file of a job, with the stat they belong to. */
export interface CachedHashes extends FileStat, FileHashes {}

/**
 * A read-only view of one job's hashes in the journal, for commands that must not change it
 * (`verify`, `plan`). The journal is opened with SQLITE_OPEN_READONLY: it cannot create a job, a
 * row or a migration, and it reads alongside a running daemon (WAL). Lookups are one indexed row
 * each (files is unique on job and path), so nothing grows with the folder.
 */
export class JobHashCache {
  readonly jobId: number;
  readonly #db: Database.Database;
  readonly #lookup: Database.Statement<[number, string], CachedRow>;

  private constructor(db: Database.Database, jobId: number) {
    this.#db = db;
    this.jobId = jobId;
    this.#lookup = db.prepare(
      "SELECT size, mtime_ns, ctime_ns, inode, sha256, sha1, sample FROM files WHERE job_id = ? AND path = ? AND sha256 IS NOT NULL",
    );
  }

  /**
   * The cache of the first job (in `specs` order) the journal at `journalPath` knows, or null when
   * there is no journal file, no such job, or the journal cannot be read (a newer schema, a
   * damaged file): the caller then hashes everything, which is slower but never wrong.
   */
  static open(journalPath: string, specs: readonly JobSpec[]): JobHashCache | null {
    if (!existsSync(journalPath)) return null;
    let db: Database.Database;
    try {
      db = new Database(journalPath, { readonly: true, fileMustExist: true, timeout: 5000 });
    } catch {
      return null;
    }
    try {
      const find = db.prepare<[string, string, string, string, string, string], { id: number }>(
        "SELECT id FROM jobs WHERE folder = ? AND endpoint = ? AND repo_type = ? AND repo_id = ? AND revision = ? AND path_in_repo = ?",
      );
      for (const s of specs) {
        const row = find.get(s.folder, s.endpoint, s.repoType, s.repoId, s.revision, s.pathInRepo);
        if (row !== undefined) return new JobHashCache(db, row.id);
      }
    } catch {
      // An unreadable or foreign journal: no cache.
    }
    db.close();
    return null;
  }

  /** The hashes recorded for `path` (relative to the job's folder), or null. */
  get(path: string): CachedHashes | null {
    const row = this.#lookup.get(this.jobId, path);
    if (row === undefined || row.sha256 === null) return null;
    return {
      size: row.size,
      mtimeNs: row.mtime_ns,
      ctimeNs: row.ctime_ns,
      inode: row.inode,
      sha256: row.sha256,
      sha1: row.sha1,
      sample: row.sample ?? "",
    };
  }

  close(): void {
    this.#db.close();
  }
}

interface CachedRow {
  readonly size: number;
  readonly mtime_ns: string;
  readonly ctime_ns: string;
  readonly inode: string;
  readonly sha256: string | null;
  readonly sha1: string | null;
  readonly sample: string | null;
}
