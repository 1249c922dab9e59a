import type Database from "better-sqlite3";
import { classifySqliteError } from "./classify-sqlite-error.js";
import { FILE_SQL } from "./file-sql.js";
import { guardMethods } from "./guard-methods.js";
import { jobNotFound } from "./job-not-found.js";
import type { FileStat, ScanBatchResult, ScanJournal, ScannedFile } from "./journal.js";
import { SeenIds } from "./seen-ids.js";
import type { StoreContext } from "./store-context.js";

/** A row as the scan's covering index (files_scan) gives it: [id, size, mtime_ns, ctime_ns, inode]. */
type KnownStat = [id: number, size: number, mtimeNs: string, ctimeNs: string, inode: string];

/**
 * The batch lookup's row for the batch's i-th path: [i, id, size, mtime_ns, ctime_ns, inode], the
 * stat columns null when the journal has no such path. KnownStat's fields are at index + 1.
 */
type BatchRow = [
  key: number,
  id: number | null,
  size: number,
  mtimeNs: string,
  ctimeNs: string,
  inode: string,
];

type FileParams = FileStat & { jobId: number; path: string; generation: number; now: number };

/** Past this many vanished rows in a job, a batch asks each unchanged row for its state instead. */
const VANISHED_SET_LIMIT = 10_000;

function sameStat(known: KnownStat, file: FileStat): boolean {
  return (
    known[1] === file.size &&
    known[2] === file.mtimeNs &&
    known[3] === file.ctimeNs &&
    known[4] === file.inode
  );
}

/** sameStat for a BatchRow (its fields one further), without building a KnownStat per file. */
function sameBatchStat(row: BatchRow, file: FileStat): boolean {
  return row[2] === file.size && row[3] === file.mtimeNs && row[4] === file.ctimeNs && row[5] === file.inode;
}

/**
 * A changed stat sends any file back to scanned (even committed: the new content must be uploaded),
 * except while committing: that commit settles first and the next scan sees the difference again.
 * A vanished file that is seen again comes back whatever its stat; a failed one only if it changed.
 * A stat older than the recorded one (by ctime) is stale and changes nothing.
 */
function mustReset(state: string, known: KnownStat, file: FileStat): boolean {
  if (state === "committing") return false;
  if (state === "vanished") return true;
  // A ctime older than the recorded one is a stale look (the scan's batch was written after a
  // stage recorded a newer stat of the path): a change, even a rename over the file, sets a ctime
  // no older than itself, so that stat says nothing new.
  if (BigInt(file.ctimeNs) < BigInt(known[3])) return false;
  return !sameStat(known, file);
}

/** A batch row's journal stat, or undefined when the journal has no row for the path. */
function knownStat(row: BatchRow | undefined): KnownStat | undefined {
  if (row === undefined || row[1] === null) return undefined;
  return [row[1], row[2], row[3], row[4], row[5]];
}

/** Scan generations: upserting what a scan saw, and marking what it did not see as vanished. */
export class ScanStore implements ScanJournal {
  readonly #ctx: StoreContext;
  readonly #beginScan: Database.Statement<{ jobId: number; now: number }, { scan_generation: number }>;
  readonly #jobExists: Database.Statement<[number], { id: number }>;
  readonly #find: Database.Statement<{ jobId: number; path: string }, KnownStat>;
  readonly #findMany: Database.Statement<{ jobId: number; paths: string }, BatchRow>;
  readonly #stateOf: Database.Statement<[number], string>;
  readonly #vanishedIds: Database.Statement<[number, number], number>;
  readonly #markSeenMany: Database.Statement<{ ids: string; generation: number }>;
  readonly #insert: Database.Statement<FileParams>;
  readonly #reset: Database.Statement<FileParams & { id: number }>;
  readonly #deletePlan: Database.Statement<[number]>;
  readonly #vanish: UnseenStatements;
  readonly #vanishMirrored: UnseenStatements;
  readonly #queueDeletions: UnseenStatements;
  readonly #unseenCandidates: Database.Statement<{ jobId: number; generation: number }, { id: number }>;
  readonly #jobFiles: Database.Statement<[number], { files: number | null }>;
  /** Scans begun by this store: their unchanged rows are remembered here instead of written. */
  readonly #seen = new Map<string, SeenIds>();
  readonly #forgetDeletion: Database.Statement<{ jobId: number; path: string }>;
  readonly #scanDone: Database.Statement<{ jobId: number; now: number }>;
  readonly #upsertBatch: (
    jobId: number,
    generation: number,
    files: readonly ScannedFile[],
    tracked: boolean,
  ) => ScanBatchResult & { seenIds: number[] };
  readonly #finish: (
    jobId: number,
    generation: number,
    mirrorDeletions: boolean,
    seen: SeenIds | undefined,
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
    // Both read the covering index files_scan only (migration scan-index), never the table rows.
    this.#find = db
      .prepare<{ jobId: number; path: string }, KnownStat>(
        "SELECT id, size, mtime_ns, ctime_ns, inode FROM files WHERE job_id = @jobId AND path = @path",
      )
      .raw();
    // One SELECT for a whole batch (the paths as a JSON array) and one UPDATE for its unchanged
    // rows: a restart over committed files costs two statements per batch, not two per file.
    // Arrays (raw), not objects: a restart builds one per file. The batch drives the join (LEFT
    // JOIN keeps it outer), so the rows come one per path, in the batch's order, and are matched by
    // position: no path column, no Map. Issue 16 item 2: a third less than `path IN (json_each)`,
    // which sorted the batch into a temporary index and returned the paths again.
    this.#findMany = db
      .prepare<{ jobId: number; paths: string }, BatchRow>(
        "SELECT b.key, f.id, f.size, f.mtime_ns, f.ctime_ns, f.inode FROM json_each(@paths) AS b " +
          "LEFT JOIN files AS f INDEXED BY files_scan ON f.job_id = @jobId AND f.path = b.value",
      )
      .raw();
    this.#stateOf = db.prepare<[number], string>("SELECT state FROM files WHERE id = ?").pluck();
    // Through files_claim (job_id, state, id): usually none, so one index probe per batch.
    this.#vanishedIds = db
      .prepare<[number, number], number>(
        "SELECT id FROM files WHERE job_id = ? AND state = 'vanished' LIMIT ?",
      )
      .pluck();
    this.#markSeenMany = db.prepare(
      "UPDATE files SET seen_generation = @generation WHERE id IN (SELECT value FROM json_each(@ids))",
    );
    this.#insert = db.prepare(
      "INSERT INTO files (job_id, path, state, size, mtime_ns, ctime_ns, inode, seen_generation, updated_at) " +
        "VALUES (@jobId, @path, 'scanned', @size, @mtimeNs, @ctimeNs, @inode, @generation, @now)",
    );
    this.#reset = db.prepare(
      `UPDATE files SET ${FILE_SQL.resetToScanned}, size = @size, mtime_ns = @mtimeNs, ctime_ns = @ctimeNs, ` +
        "inode = @inode, seen_generation = @generation WHERE id = @id",
    );
    this.#deletePlan = db.prepare("DELETE FROM lfs_uploads WHERE file_id = ?");
    // committed/skipped/ignored stay (the Hub holds them); committing waits for its commit to settle.
    // No index on seen_generation: every scan rewrites it on every row, so an index would cost more
    // per scan than this one pass over the job's files.
    this.#vanish = unseenStatements(
      db,
      (unseen) =>
        `UPDATE files SET state = 'vanished', next_attempt_at = NULL, ${FILE_SQL.clearLease}, updated_at = @now ` +
        `WHERE job_id = @jobId AND ${unseen} AND state IN ('scanned', 'hashed', 'planned', 'uploaded', 'failed')`,
    );
    // --delete: files the Hub may hold (committed, skipped, or anything not yet settled) that the
    // scan no longer saw are queued for deletion; the committer checks which really exist remotely.
    this.#queueDeletions = unseenStatements(
      db,
      (unseen) =>
        "INSERT INTO remote_deletions (job_id, path, state, created_at) " +
        `SELECT job_id, path, 'pending', @now FROM files WHERE job_id = @jobId AND ${unseen} ` +
        "AND state IN ('scanned', 'hashed', 'planned', 'uploaded', 'failed', 'committed', 'skipped') " +
        "ON CONFLICT (job_id, path) DO UPDATE SET state = 'pending', commit_id = NULL, settled_at = NULL " +
        "WHERE remote_deletions.state = 'deleted'",
    );
    this.#vanishMirrored = unseenStatements(
      db,
      (unseen) =>
        `UPDATE files SET state = 'vanished', next_attempt_at = NULL, ${FILE_SQL.clearLease}, updated_at = @now ` +
        `WHERE job_id = @jobId AND ${unseen} AND state IN ('committed', 'skipped')`,
    );
    // Rows a tracked scan may not have seen: those not written in this generation (the bitmap then
    // says which of them the scan saw unchanged).
    this.#jobFiles = db.prepare("SELECT SUM(files) AS files FROM job_counts WHERE job_id = ?");
    this.#unseenCandidates = db.prepare(
      "SELECT id FROM files WHERE job_id = @jobId AND seen_generation < @generation " +
        "AND state IN ('scanned', 'hashed', 'planned', 'uploaded', 'failed', 'committed', 'skipped')",
    );
    // A path seen again is uploaded again: a deletion not yet in flight is dropped.
    this.#forgetDeletion = db.prepare(
      "DELETE FROM remote_deletions WHERE job_id = @jobId AND path = @path AND state <> 'committing'",
    );
    this.#scanDone = db.prepare("UPDATE jobs SET last_scan_at = @now, updated_at = @now WHERE id = @jobId");

    this.#upsertBatch = db.transaction(
      (jobId: number, generation: number, files: readonly ScannedFile[], tracked: boolean) => {
        if (this.#jobExists.get(jobId) === undefined) throw jobNotFound(ctx.path, jobId);
        const now = ctx.now();
        let added = 0;
        let changed = 0;
        // Each row at its path's position (SQLite promises no order without an ORDER BY, which
        // would sort): rows[i] is files[i]'s.
        const rows: BatchRow[] = new Array(files.length);
        for (const row of this.#findMany.all({ jobId, paths: JSON.stringify(files.map((f) => f.path)) }))
          rows[row[0]] = row;
        // Paths this batch wrote (inserted, or reset to scanned): a second look at one of them
        // must see what the first wrote, so it asks the journal again. Only changed files land
        // here; an unchanged first look wrote nothing and the batch's row is still right.
        let written: Set<string> | null = null;
        // Only a vanished row's state matters when its stat is unchanged (it comes back); within
        // this transaction no stage can mark one vanished behind the scan's back.
        const vanished = this.#vanishedIds.all(jobId, VANISHED_SET_LIMIT + 1);
        const vanishedSet = vanished.length > VANISHED_SET_LIMIT ? null : new Set(vanished);
        const unchanged: number[] = [];
        const seenIds: number[] = [];
        for (let i = 0; i < files.length; i++) {
          const file = files[i] as ScannedFile;
          // A path twice in one batch: the second look must see what the first one wrote.
          const again = written?.has(file.path) === true;
          const batchRow = rows[i];
          const knownId = again ? null : (batchRow?.[1] ?? null);
          // The usual restart: the row is there with the same stat (no array built for it).
          if (knownId !== null && batchRow !== undefined && sameBatchStat(batchRow, file)) {
            const back =
              vanishedSet === null ? this.#stateOf.get(knownId) === "vanished" : vanishedSet.has(knownId);
            if (!back) {
              unchanged.push(knownId);
              continue;
            }
          }
          const row = again ? this.#find.get({ jobId, path: file.path }) : knownStat(batchRow);
          if (again && row !== undefined && sameStat(row, file)) {
            // What the first look wrote (a scanned row, never vanished) with this very stat.
            unchanged.push(row[0]);
            continue;
          }
          written ??= new Set();
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
          if (row === undefined) {
            seenIds.push(Number(this.#insert.run(params).lastInsertRowid));
            written.add(file.path);
            this.#forgetDeletion.run(params);
            added++;
            continue;
          }
          const id = row[0];
          const state = this.#stateOf.get(id) ?? "";
          if (mustReset(state, row, file)) {
            this.#deletePlan.run(id);
            this.#reset.run({ ...params, id });
            written.add(file.path);
            if (state === "vanished") this.#forgetDeletion.run(params);
            seenIds.push(id);
            changed++;
          } else {
            unchanged.push(id);
          }
        }
        // A scan this store tracks remembers unchanged rows in memory: nothing is written for them.
        if (!tracked && unchanged.length > 0)
          this.#markSeenMany.run({ ids: JSON.stringify(unchanged), generation });
        seenIds.push(...unchanged);
        return { added, changed, unchanged: unchanged.length, seenIds };
      },
    ).immediate;

    this.#finish = db.transaction(
      (jobId: number, generation: number, mirrorDeletions: boolean, seen: SeenIds | undefined) => {
        const now = ctx.now();
        const params = { jobId, generation, now };
        let run = (s: UnseenStatements): number => s.byGeneration.run(params).changes;
        // Every row of the job seen (the usual restart): nothing can have vanished, no pass over the rows.
        const everySeen = seen !== undefined && seen.count === (this.#jobFiles.get(jobId)?.files ?? 0);
        if (everySeen) run = () => 0;
        else if (seen !== undefined) {
          const unseen = this.#unseenCandidates
            .all({ jobId, generation })
            .map((r) => r.id)
            .filter((id) => !seen.has(id));
          const ids = JSON.stringify(unseen);
          run = (s) => (unseen.length === 0 ? 0 : s.byIds.run({ jobId, now, ids }).changes);
        }
        const deletionsQueued = mirrorDeletions ? run(this.#queueDeletions) : 0;
        let vanished = run(this.#vanish);
        if (mirrorDeletions) vanished += run(this.#vanishMirrored);
        if (this.#scanDone.run({ jobId, now }).changes === 0) throw jobNotFound(ctx.path, jobId);
        return { vanished, deletionsQueued };
      },
    ).immediate;
  }

  begin(jobId: number): number {
    const row = this.#beginScan.get({ jobId, now: this.#ctx.now() });
    if (row === undefined) throw jobNotFound(this.#ctx.path, jobId);
    // A new generation supersedes any scan of the job that never finished (halted).
    for (const key of this.#seen.keys()) if (key.startsWith(`${jobId}:`)) this.#seen.delete(key);
    this.#seen.set(`${jobId}:${row.scan_generation}`, new SeenIds());
    return row.scan_generation;
  }

  upsertFiles(jobId: number, generation: number, files: readonly ScannedFile[]): ScanBatchResult {
    const seen = this.#seen.get(`${jobId}:${generation}`);
    const { seenIds, ...result } = this.#upsertBatch(jobId, generation, files, seen !== undefined);
    // Only once the batch is committed: a rolled-back insert's id may be reused by another path.
    if (seen !== undefined) for (const id of seenIds) seen.add(id);
    return result;
  }

  finish(
    jobId: number,
    generation: number,
    options: { mirrorDeletions?: boolean } = {},
  ): { vanished: number; deletionsQueued: number } {
    const key = `${jobId}:${generation}`;
    const result = this.#finish(jobId, generation, options.mirrorDeletions === true, this.#seen.get(key));
    this.#seen.delete(key);
    return result;
  }
}

/**
 * A statement over the files a scan did not see, in two forms: by generation (rows written with
 * seen_generation, for a scan begun by another store) and by the ids a tracked scan computed.
 */
interface UnseenStatements {
  readonly byGeneration: Database.Statement<{ jobId: number; generation: number; now: number }>;
  readonly byIds: Database.Statement<{ jobId: number; now: number; ids: string }>;
}

function unseenStatements(db: Database.Database, sql: (unseen: string) => string): UnseenStatements {
  return {
    byGeneration: db.prepare(sql("seen_generation < @generation")),
    byIds: db.prepare(sql("id IN (SELECT value FROM json_each(@ids))")),
  };
}

guardMethods(ScanStore, (store, err) => classifySqliteError(err, store.journalPath));
