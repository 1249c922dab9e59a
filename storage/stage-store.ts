import type Database from "better-sqlite3";
import { classifySqliteError } from "./classify-sqlite-error.js";
import { FILE_SQL } from "./file-sql.js";
import { guardMethods } from "./guard-methods.js";
import type { ErrorInfo, FileHashes, FileStat, HashedResult, PlanResult, StagesJournal } from "./journal.js";
import type { StoreContext } from "./store-context.js";

interface StatParams {
  size: number;
  mtimeNs: string;
  ctimeNs: string;
  inode: string;
}

interface ErrorParams {
  code: string;
  message: string;
}

function statParams(stat: FileStat): StatParams {
  return { size: stat.size, mtimeNs: stat.mtimeNs, ctimeNs: stat.ctimeNs, inode: stat.inode };
}

/** A successful step clears the retry bookkeeping and the lease. */
const SUCCESS = `attempts = 0, next_attempt_at = NULL, last_error_code = NULL, last_error_message = NULL, ${FILE_SQL.clearLease}`;

/**
 * Stage results. Each is one UPDATE guarded by `lease_owner = @owner` (and the expected state), so
 * a worker whose lease was taken over, or whose file was reset by a rescan, changes nothing.
 */
export class StageStore implements StagesJournal {
  readonly #ctx: StoreContext;
  readonly #hashed: Database.Statement<
    StatParams &
      FileHashes & {
        id: number;
        owner: string;
        eSize: number;
        eMtime: string;
        eCtime: string;
        eInode: string;
        now: number;
      },
    { job_id: number; size: number }
  >;
  readonly #hashedMany: Database.Statement<
    { rows: string; owner: string; now: number },
    { id: number; job_id: number; size: number }
  >;
  /** #hashedMany for files whose stat did not change while they were hashed (nearly all). */
  readonly #hashedManySameStat: Database.Statement<
    { rows: string; owner: string; now: number },
    { id: number; job_id: number; size: number }
  >;
  readonly #addBytesHashed: Database.Statement<{ jobId: number; bytes: number; now: number }>;
  readonly #statChanged: Database.Statement<
    StatParams & { id: number; owner: string; next: number | null; now: number }
  >;
  readonly #plans: Database.Statement<{ rows: string; owner: string; now: number }>;
  readonly #uploaded: Database.Statement<{ id: number; owner: string; now: number }>;
  readonly #backToHashing: Database.Statement<
    ErrorParams & { id: number; owner: string | null; now: number }
  >;
  readonly #transient: Database.Statement<
    ErrorParams & { id: number; owner: string; next: number; now: number },
    { job_id: number }
  >;
  readonly #permanent: Database.Statement<
    ErrorParams & { id: number; owner: string | null; now: number },
    { job_id: number }
  >;
  readonly #vanished: Database.Statement<{ id: number; owner: string | null; now: number }>;
  readonly #jobError: Database.Statement<ErrorParams & { jobId: number; now: number }>;
  readonly #retryFailed: Database.Statement<{ jobId: number; now: number }, { id: number }>;
  readonly #retryWaiting: Database.Statement<{ jobId: number; now: number }>;
  readonly #deletePlan: Database.Statement<[number]>;
  readonly #recordHashed: (
    id: number,
    owner: string,
    expected: FileStat,
    observed: FileStat,
    hashes: FileHashes,
  ) => boolean;
  readonly #recordHashedMany: (owner: string, results: readonly HashedResult[]) => number[];
  readonly #recordPlans: (owner: string, plans: readonly PlanResult[]) => void;
  readonly #recordUploaded: (id: number, owner: string) => void;
  readonly #sendBack: (id: number, owner: string | null, reason: ErrorInfo) => void;
  readonly #recordFailures: (
    ids: readonly number[],
    apply: (id: number, now: number) => { job_id: number } | undefined,
    error: ErrorInfo,
  ) => void;
  readonly #retry: (jobId: number) => number;

  /** For error messages (guardMethods below). */
  readonly journalPath: string;

  constructor(ctx: StoreContext) {
    this.journalPath = ctx.path;
    this.#ctx = ctx;
    const { db } = ctx;
    const mine = "id = @id AND lease_owner = @owner";
    const mineOrAny = "id = @id AND (@owner IS NULL OR lease_owner = @owner)";
    this.#hashed = db.prepare(
      "UPDATE files SET state = 'hashed', sha256 = @sha256, sha1 = @sha1, sample = @sample, size = @size, " +
        `mtime_ns = @mtimeNs, ctime_ns = @ctimeNs, inode = @inode, hash_count = hash_count + 1, ${SUCCESS}, ` +
        `updated_at = @now WHERE ${mine} AND state = 'scanned' AND size = @eSize AND mtime_ns = @eMtime ` +
        "AND ctime_ns = @eCtime AND inode = @eInode RETURNING job_id, size",
    );
    // The same guards as #hashed, for a batch: the rows arrive as one JSON array of arrays (one
    // bind, one statement) and are joined to `files` by rowid. Columns of the batch are prefixed
    // with r_ so that none of them shadows a column of `files`. The unary `+` keeps the planner off
    // the lease and state indexes: with them it scanned json_each once per leased row (N × M).
    this.#hashedMany = db.prepare(
      "UPDATE files SET state = 'hashed', sha256 = r.r_sha256, sha1 = r.r_sha1, sample = r.r_sample, " +
        "size = r.r_size, mtime_ns = r.r_mtime, ctime_ns = r.r_ctime, inode = r.r_inode, " +
        `hash_count = hash_count + 1, ${SUCCESS}, updated_at = @now ` +
        "FROM (SELECT value ->> 0 AS r_id, value ->> 1 AS r_sha256, value ->> 2 AS r_sha1, " +
        "value ->> 3 AS r_sample, value ->> 4 AS r_size, value ->> 5 AS r_mtime, value ->> 6 AS r_ctime, " +
        "value ->> 7 AS r_inode, value ->> 8 AS r_esize, value ->> 9 AS r_emtime, value ->> 10 AS r_ectime, " +
        "value ->> 11 AS r_einode FROM json_each(@rows)) AS r " +
        "WHERE files.id = r.r_id AND +files.lease_owner = @owner AND +files.state = 'scanned' " +
        "AND files.size = r.r_esize AND files.mtime_ns = r.r_emtime AND files.ctime_ns = r.r_ectime " +
        "AND files.inode = r.r_einode RETURNING files.id AS id, files.job_id AS job_id, files.size AS size",
    );
    // The same for files hashed with the stat they were claimed with: the stat columns are left out
    // of the SET list, so SQLite does not rewrite their entry in files_scan (job, path and the four
    // stat columns), which it does for any indexed column that is assigned, even to its own value.
    this.#hashedManySameStat = db.prepare(
      "UPDATE files SET state = 'hashed', sha256 = r.r_sha256, sha1 = r.r_sha1, sample = r.r_sample, " +
        `hash_count = hash_count + 1, ${SUCCESS}, updated_at = @now ` +
        "FROM (SELECT value ->> 0 AS r_id, value ->> 1 AS r_sha256, value ->> 2 AS r_sha1, " +
        "value ->> 3 AS r_sample, value ->> 4 AS r_esize, value ->> 5 AS r_emtime, value ->> 6 AS r_ectime, " +
        "value ->> 7 AS r_einode FROM json_each(@rows)) AS r " +
        "WHERE files.id = r.r_id AND +files.lease_owner = @owner AND +files.state = 'scanned' " +
        "AND files.size = r.r_esize AND files.mtime_ns = r.r_emtime AND files.ctime_ns = r.r_ectime " +
        "AND files.inode = r.r_einode RETURNING files.id AS id, files.job_id AS job_id, files.size AS size",
    );
    this.#addBytesHashed = db.prepare(
      "UPDATE jobs SET bytes_hashed = bytes_hashed + @bytes, updated_at = @now WHERE id = @jobId",
    );
    this.#statChanged = db.prepare(
      "UPDATE files SET size = @size, mtime_ns = @mtimeNs, ctime_ns = @ctimeNs, inode = @inode, " +
        `next_attempt_at = @next, ${FILE_SQL.clearLease}, updated_at = @now WHERE ${mine} AND state = 'scanned'`,
    );
    // One statement per preupload answer (up to preuploadBatch files): rows as a JSON array of
    // [id, next, mode, oid], joined by rowid, like #hashedMany.
    this.#plans = db.prepare(
      "UPDATE files SET state = r.r_next, upload_mode = r.r_mode, remote_oid = r.r_oid, " +
        `${SUCCESS}, updated_at = @now ` +
        "FROM (SELECT value ->> 0 AS r_id, value ->> 1 AS r_next, value ->> 2 AS r_mode, value ->> 3 AS r_oid " +
        "FROM json_each(@rows)) AS r " +
        "WHERE files.id = r.r_id AND +files.lease_owner = @owner AND +files.state = 'hashed'",
    );
    this.#uploaded = db.prepare(
      `UPDATE files SET state = 'uploaded', ${SUCCESS}, updated_at = @now WHERE ${mine} AND state = 'planned'`,
    );
    // A file inside a sent commit keeps its state until that commit settles.
    this.#backToHashing = db.prepare(
      `UPDATE files SET ${FILE_SQL.resetToScanned}, last_error_code = @code, last_error_message = @message ` +
        `WHERE ${mineOrAny} AND state <> 'committing'`,
    );
    this.#transient = db.prepare(
      "UPDATE files SET attempts = attempts + 1, next_attempt_at = @next, last_error_code = @code, " +
        `last_error_message = @message, ${FILE_SQL.clearLease}, updated_at = @now ` +
        `WHERE ${mine} AND state IN ${FILE_SQL.workableStates} RETURNING job_id`,
    );
    this.#permanent = db.prepare(
      "UPDATE files SET state = 'failed', next_attempt_at = NULL, last_error_code = @code, " +
        `last_error_message = @message, ${FILE_SQL.clearLease}, updated_at = @now ` +
        `WHERE ${mineOrAny} AND state IN ${FILE_SQL.workableStates} RETURNING job_id`,
    );
    this.#vanished = db.prepare(
      `UPDATE files SET state = 'vanished', next_attempt_at = NULL, ${FILE_SQL.clearLease}, updated_at = @now ` +
        `WHERE ${mineOrAny} AND state IN ('scanned', 'hashed', 'planned', 'uploaded', 'failed')`,
    );
    this.#jobError = db.prepare(
      "UPDATE jobs SET last_error_code = @code, last_error_message = @message, last_error_at = @now, " +
        "updated_at = @now WHERE id = @jobId",
    );
    this.#retryFailed = db.prepare(
      `UPDATE files SET ${FILE_SQL.resetToScanned} WHERE job_id = @jobId AND state = 'failed' RETURNING id`,
    );
    this.#retryWaiting = db.prepare(
      "UPDATE files SET next_attempt_at = NULL, updated_at = @now WHERE job_id = @jobId " +
        `AND next_attempt_at IS NOT NULL AND state IN ${FILE_SQL.workableStates}`,
    );
    this.#deletePlan = db.prepare("DELETE FROM lfs_uploads WHERE file_id = ?");

    this.#recordHashed = db.transaction(
      (id: number, owner: string, expected: FileStat, observed: FileStat, hashes: FileHashes) => {
        const now = ctx.now();
        const row = this.#hashed.get({
          id,
          owner,
          ...statParams(observed),
          sha256: hashes.sha256,
          sha1: hashes.sha1,
          sample: hashes.sample,
          eSize: expected.size,
          eMtime: expected.mtimeNs,
          eCtime: expected.ctimeNs,
          eInode: expected.inode,
          now,
        });
        if (row === undefined) return false;
        this.#addBytesHashed.run({ jobId: row.job_id, bytes: row.size, now });
        return true;
      },
    ).immediate;
    this.#recordHashedMany = db.transaction((owner: string, results: readonly HashedResult[]) => {
      const now = ctx.now();
      const same: unknown[][] = [];
      const changed: unknown[][] = [];
      for (const { fileId, expected: e, observed: o, hashes: h } of results) {
        if (sameFileStat(e, o)) {
          same.push([fileId, h.sha256, h.sha1, h.sample, e.size, e.mtimeNs, e.ctimeNs, e.inode]);
          continue;
        }
        changed.push([
          fileId,
          h.sha256,
          h.sha1,
          h.sample,
          o.size,
          o.mtimeNs,
          o.ctimeNs,
          o.inode,
          e.size,
          e.mtimeNs,
          e.ctimeNs,
          e.inode,
        ]);
      }
      const applied = [
        ...(same.length === 0
          ? []
          : this.#hashedManySameStat.all({ rows: JSON.stringify(same), owner, now })),
        ...(changed.length === 0 ? [] : this.#hashedMany.all({ rows: JSON.stringify(changed), owner, now })),
      ];
      const bytes = new Map<number, number>();
      for (const row of applied) bytes.set(row.job_id, (bytes.get(row.job_id) ?? 0) + row.size);
      for (const [jobId, sum] of bytes) this.#addBytesHashed.run({ jobId, bytes: sum, now });
      return applied.map((row) => row.id);
    }).immediate;
    this.#recordPlans = db.transaction((owner: string, plans: readonly PlanResult[]) => {
      const rows = plans.map((p) => [p.fileId, p.next, p.uploadMode, p.remoteOid]);
      this.#plans.run({ rows: JSON.stringify(rows), owner, now: ctx.now() });
    }).immediate;
    this.#recordUploaded = db.transaction((id: number, owner: string) => {
      if (this.#uploaded.run({ id, owner, now: ctx.now() }).changes > 0) this.#deletePlan.run(id);
    }).immediate;
    this.#sendBack = db.transaction((id: number, owner: string | null, reason: ErrorInfo) => {
      const changes = this.#backToHashing.run({
        id,
        owner,
        code: reason.code,
        message: reason.message,
        now: ctx.now(),
      });
      if (changes.changes > 0) this.#deletePlan.run(id);
    }).immediate;
    this.#recordFailures = db.transaction(
      (
        ids: readonly number[],
        apply: (id: number, now: number) => { job_id: number } | undefined,
        error: ErrorInfo,
      ) => {
        const now = ctx.now();
        const jobs = new Set<number>();
        for (const id of ids) {
          const row = apply(id, now);
          if (row !== undefined) jobs.add(row.job_id);
        }
        // The job's last error is what status shows; only files that really failed update it.
        for (const jobId of jobs)
          this.#jobError.run({ jobId, code: error.code, message: error.message, now });
      },
    ).immediate;
    this.#retry = db.transaction((jobId: number) => {
      const now = ctx.now();
      const failed = this.#retryFailed.all({ jobId, now });
      for (const row of failed) this.#deletePlan.run(row.id);
      return failed.length + this.#retryWaiting.run({ jobId, now }).changes;
    }).immediate;
  }

  recordHashed(
    id: number,
    owner: string,
    expected: FileStat,
    observed: FileStat,
    hashes: FileHashes,
  ): boolean {
    return this.#recordHashed(id, owner, expected, observed, hashes);
  }

  recordHashedMany(owner: string, results: readonly HashedResult[]): number[] {
    return results.length === 0 ? [] : this.#recordHashedMany(owner, results);
  }

  recordStatChanged(id: number, owner: string, observed: FileStat, notBefore?: number): void {
    this.#statChanged.run({
      id,
      owner,
      ...statParams(observed),
      next: notBefore ?? null,
      now: this.#ctx.now(),
    });
  }

  recordPlans(owner: string, plans: readonly PlanResult[]): void {
    this.#recordPlans(owner, plans);
  }

  recordUploaded(id: number, owner: string): void {
    this.#recordUploaded(id, owner);
  }

  sendBackToHashing(id: number, owner: string | null, reason: ErrorInfo): void {
    this.#sendBack(id, owner, reason);
  }

  recordTransientFailure(
    ids: readonly number[],
    owner: string,
    error: ErrorInfo,
    nextAttemptAt: number,
  ): void {
    const { code, message } = error;
    this.#recordFailures(
      ids,
      (id, now) => this.#transient.get({ id, owner, code, message, next: nextAttemptAt, now }),
      error,
    );
  }

  recordPermanentFailure(ids: readonly number[], owner: string | null, error: ErrorInfo): void {
    const { code, message } = error;
    this.#recordFailures(ids, (id, now) => this.#permanent.get({ id, owner, code, message, now }), error);
  }

  recordVanished(id: number, owner: string | null): void {
    this.#vanished.run({ id, owner, now: this.#ctx.now() });
  }

  retryFailed(jobId: number): number {
    return this.#retry(jobId);
  }
}

guardMethods(StageStore, (store, err) => classifySqliteError(err, store.journalPath));

function sameFileStat(a: FileStat, b: FileStat): boolean {
  return a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs && a.inode === b.inode;
}
