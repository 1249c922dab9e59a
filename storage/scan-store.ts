import type Database from "better-sqlite3";
import { classifySqliteError } from "./classify-sqlite-error.js";
import { FILE_SQL } from "./file-sql.js";
import { guardMethods } from "./guard-methods.js";
import { jobNotFound } from "./job-not-found.js";
import type { FileStat, ScanBatchResult, ScanJournal, ScannedFile } from "./journal.js";
import type { StoreContext } from "./store-context.js";

interface KnownRow {
  id: number;
  state: string;
  size: number;
  mtime_ns: string;
  ctime_ns: string;
  inode: string;
}

type FileParams = FileStat & { jobId: number; path: string; generation: number; now: number };

/**
 * A changed stat sends any file back to scanned (even committed: the new content must be uploaded),
 * except while committing: that commit settles first and the next scan sees the difference again.
 * A vanished file that is seen again comes back whatever its stat; a failed one only if it changed.
 * A stat older than the recorded one (by ctime) is stale and changes nothing.
 */
function mustReset(known: KnownRow, file: FileStat): boolean {
  if (known.state === "committing") return false;
  if (known.state === "vanished") return true;
  // A ctime older than the recorded one is a stale look (the scan's batch was written after a
  // stage recorded a newer stat of the path): a change, even a rename over the file, sets a ctime
  // no older than itself, so that stat says nothing new.
  if (BigInt(file.ctimeNs) < BigInt(known.ctime_ns)) return false;
  return (
    known.size !== file.size ||
    known.mtime_ns !== file.mtimeNs ||
    known.ctime_ns !== file.ctimeNs ||
    known.inode !== file.inode
  );
}

/** Scan generations: upserting what a scan saw, and marking what it did not see as vanished. */
export class ScanStore implements ScanJournal {
  readonly #ctx: StoreContext;
  readonly #beginScan: Database.Statement<{ jobId: number; now: number }, { scan_generation: number }>;
  readonly #jobExists: Database.Statement<[number], { id: number }>;
  readonly #find: Database.Statement<{ jobId: number; path: string }, KnownRow>;
  readonly #insert: Database.Statement<FileParams>;
  readonly #markSeen: Database.Statement<{ id: number; generation: number }>;
  readonly #reset: Database.Statement<FileParams & { id: number }>;
  readonly #deletePlan: Database.Statement<[number]>;
  readonly #vanish: Database.Statement<{ jobId: number; generation: number; now: number }>;
  readonly #vanishMirrored: Database.Statement<{ jobId: number; generation: number; now: number }>;
  readonly #queueDeletions: Database.Statement<{ jobId: number; generation: number; now: number }>;
  readonly #forgetDeletion: Database.Statement<{ jobId: number; path: string }>;
  readonly #scanDone: Database.Statement<{ jobId: number; now: number }>;
  readonly #upsertBatch: (
    jobId: number,
    generation: number,
    files: readonly ScannedFile[],
  ) => ScanBatchResult;
  readonly #finish: (
    jobId: number,
    generation: number,
    mirrorDeletions: boolean,
  ) => { vanished: number; deletionsQueued: number };

  /** For error messages (guardMethods below). */
  readonly journalPath: string;

  constructor(ctx: StoreContext) {
    this.journalPath = ctx.path;
    this.#ctx = ctx;
    const { db } = ctx;
    this.#beginScan = db.prepare(
      "UPDATE jobs SET scan_generation = scan_generation + 1, updated_at = @now WHERE id = @jobId " +
        "RETURNING scan_generation",
    );
    this.#jobExists = db.prepare("SELECT id FROM jobs WHERE id = ?");
    this.#find = db.prepare(
      "SELECT id, state, size, mtime_ns, ctime_ns, inode FROM files WHERE job_id = @jobId AND path = @path",
    );
    this.#insert = db.prepare(
      "INSERT INTO files (job_id, path, state, size, mtime_ns, ctime_ns, inode, seen_generation, updated_at) " +
        "VALUES (@jobId, @path, 'scanned', @size, @mtimeNs, @ctimeNs, @inode, @generation, @now)",
    );
    this.#markSeen = db.prepare("UPDATE files SET seen_generation = @generation WHERE id = @id");
    this.#reset = db.prepare(
      `UPDATE files SET ${FILE_SQL.resetToScanned}, size = @size, mtime_ns = @mtimeNs, ctime_ns = @ctimeNs, ` +
        "inode = @inode, seen_generation = @generation WHERE id = @id",
    );
    this.#deletePlan = db.prepare("DELETE FROM lfs_uploads WHERE file_id = ?");
    // committed/skipped/ignored stay (the Hub holds them); committing waits for its commit to settle.
    // No index on seen_generation: every scan rewrites it on every row, so an index would cost more
    // per scan than this one pass over the job's files.
    this.#vanish = db.prepare(
      `UPDATE files SET state = 'vanished', next_attempt_at = NULL, ${FILE_SQL.clearLease}, updated_at = @now ` +
        "WHERE job_id = @jobId AND seen_generation < @generation " +
        "AND state IN ('scanned', 'hashed', 'planned', 'uploaded', 'failed')",
    );
    // --delete: files the Hub may hold (committed, skipped, or anything not yet settled) that the
    // scan no longer saw are queued for deletion; the committer checks which really exist remotely.
    this.#queueDeletions = db.prepare(
      "INSERT INTO remote_deletions (job_id, path, state, created_at) " +
        "SELECT job_id, path, 'pending', @now FROM files WHERE job_id = @jobId AND seen_generation < @generation " +
        "AND state IN ('scanned', 'hashed', 'planned', 'uploaded', 'failed', 'committed', 'skipped') " +
        "ON CONFLICT (job_id, path) DO UPDATE SET state = 'pending', commit_id = NULL, settled_at = NULL " +
        "WHERE remote_deletions.state = 'deleted'",
    );
    this.#vanishMirrored = db.prepare(
      `UPDATE files SET state = 'vanished', next_attempt_at = NULL, ${FILE_SQL.clearLease}, updated_at = @now ` +
        "WHERE job_id = @jobId AND seen_generation < @generation AND state IN ('committed', 'skipped')",
    );
    // A path seen again is uploaded again: a deletion not yet in flight is dropped.
    this.#forgetDeletion = db.prepare(
      "DELETE FROM remote_deletions WHERE job_id = @jobId AND path = @path AND state <> 'committing'",
    );
    this.#scanDone = db.prepare("UPDATE jobs SET last_scan_at = @now, updated_at = @now WHERE id = @jobId");

    this.#upsertBatch = db.transaction((jobId: number, generation: number, files: readonly ScannedFile[]) => {
      if (this.#jobExists.get(jobId) === undefined) throw jobNotFound(ctx.path, jobId);
      const now = ctx.now();
      let added = 0;
      let changed = 0;
      let unchanged = 0;
      for (const file of files) {
        const params: FileParams = {
          jobId,
          path: file.path,
          generation,
          now,
          size: file.size,
          mtimeNs: file.mtimeNs,
          ctimeNs: file.ctimeNs,
          inode: file.inode,
        };
        const known = this.#find.get(params);
        if (known === undefined) {
          this.#insert.run(params);
          this.#forgetDeletion.run(params);
          added++;
        } else if (mustReset(known, file)) {
          this.#deletePlan.run(known.id);
          this.#reset.run({ ...params, id: known.id });
          if (known.state === "vanished") this.#forgetDeletion.run(params);
          changed++;
        } else {
          this.#markSeen.run({ id: known.id, generation });
          unchanged++;
        }
      }
      return { added, changed, unchanged };
    }).immediate;

    this.#finish = db.transaction((jobId: number, generation: number, mirrorDeletions: boolean) => {
      const now = ctx.now();
      const params = { jobId, generation, now };
      const deletionsQueued = mirrorDeletions ? this.#queueDeletions.run(params).changes : 0;
      let vanished = this.#vanish.run(params).changes;
      if (mirrorDeletions) vanished += this.#vanishMirrored.run(params).changes;
      if (this.#scanDone.run({ jobId, now }).changes === 0) throw jobNotFound(ctx.path, jobId);
      return { vanished, deletionsQueued };
    }).immediate;
  }

  begin(jobId: number): number {
    const row = this.#beginScan.get({ jobId, now: this.#ctx.now() });
    if (row === undefined) throw jobNotFound(this.#ctx.path, jobId);
    return row.scan_generation;
  }

  upsertFiles(jobId: number, generation: number, files: readonly ScannedFile[]): ScanBatchResult {
    return this.#upsertBatch(jobId, generation, files);
  }

  finish(
    jobId: number,
    generation: number,
    options: { mirrorDeletions?: boolean } = {},
  ): { vanished: number; deletionsQueued: number } {
    return this.#finish(jobId, generation, options.mirrorDeletions === true);
  }
}

guardMethods(ScanStore, (store, err) => classifySqliteError(err, store.journalPath));
