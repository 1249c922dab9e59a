import type Database from "better-sqlite3";
import { classifySqliteError } from "./classify-sqlite-error.js";
import { FILE_COLUMNS, type FileRow, fileFromRow } from "./file-from-row.js";
import { guardMethods } from "./guard-methods.js";
import type { ClaimOptions, FileRecord, FileState, FilesJournal } from "./journal.js";
import type { StoreContext } from "./store-context.js";

interface ClaimParams {
  jobId: number;
  state: string;
  mode: string | null;
  limit: number;
  owner: string;
  now: number;
  until: number;
}

interface ListParams {
  jobId: number;
  state: string | null;
  afterId: number;
  limit: number;
}

/** Leases (who works on which file) and the read side of `files`. */
export class ClaimStore implements FilesJournal {
  readonly #ctx: StoreContext;
  readonly #claim: (params: ClaimParams) => FileRow[];
  readonly #releaseAll: Database.Statement<[]>;
  readonly #releaseOwner: Database.Statement<[string]>;
  readonly #releaseOne: Database.Statement<{ id: number; owner: string }>;
  readonly #get: Database.Statement<[number], FileRow>;
  readonly #find: Database.Statement<{ jobId: number; path: string }, FileRow>;
  readonly #listAll: Database.Statement<ListParams, FileRow>;
  readonly #listState: Database.Statement<ListParams, FileRow>;
  readonly #oldest: Database.Statement<{ jobId: number; state: string }, { at: number | null }>;

  /** For error messages (guardMethods below). */
  readonly journalPath: string;

  constructor(ctx: StoreContext) {
    this.journalPath = ctx.path;
    this.#ctx = ctx;
    const { db } = ctx;
    // One UPDATE over a LIMITed id-ordered SELECT, in an IMMEDIATE transaction: the write lock is
    // taken before the rows are chosen, so two connections can never lease the same file.
    const claim = db.prepare<ClaimParams, FileRow>(
      "UPDATE files SET lease_owner = @owner, lease_until = @until WHERE id IN (" +
        "SELECT id FROM files WHERE job_id = @jobId AND state = @state " +
        "AND (next_attempt_at IS NULL OR next_attempt_at <= @now) " +
        "AND (lease_until IS NULL OR lease_until <= @now) " +
        "AND (@mode IS NULL OR upload_mode = @mode) " +
        `ORDER BY id LIMIT @limit) RETURNING ${FILE_COLUMNS}`,
    );
    this.#claim = db.transaction((params: ClaimParams) => claim.all(params)).immediate;
    this.#releaseAll = db.prepare(
      "UPDATE files SET lease_owner = NULL, lease_until = NULL WHERE lease_owner IS NOT NULL",
    );
    this.#releaseOwner = db.prepare(
      "UPDATE files SET lease_owner = NULL, lease_until = NULL WHERE lease_owner IS NOT NULL AND lease_owner = ?",
    );
    this.#releaseOne = db.prepare(
      "UPDATE files SET lease_owner = NULL, lease_until = NULL WHERE id = @id AND lease_owner = @owner",
    );
    this.#get = db.prepare(`SELECT ${FILE_COLUMNS} FROM files WHERE id = ?`);
    this.#find = db.prepare(`SELECT ${FILE_COLUMNS} FROM files WHERE job_id = @jobId AND path = @path`);
    // `+job_id` keeps the planner on the rowid range (already in id order) instead of sorting the
    // whole job through the (job_id, path) index for every page.
    this.#listAll = db.prepare(
      `SELECT ${FILE_COLUMNS} FROM files WHERE +job_id = @jobId AND id > @afterId ORDER BY id LIMIT @limit`,
    );
    this.#listState = db.prepare(
      `SELECT ${FILE_COLUMNS} FROM files WHERE job_id = @jobId AND state = @state AND id > @afterId ` +
        "ORDER BY id LIMIT @limit",
    );
    this.#oldest = db.prepare(
      "SELECT MIN(updated_at) AS at FROM files WHERE job_id = @jobId AND state = @state",
    );
  }

  claim(options: ClaimOptions): FileRecord[] {
    if (options.limit <= 0) return [];
    const now = this.#ctx.now();
    const rows = this.#claim({
      jobId: options.jobId,
      state: options.state,
      mode: options.uploadMode ?? null,
      limit: Math.floor(options.limit),
      owner: options.leaseId,
      now,
      until: now + options.leaseMs,
    });
    // RETURNING gives no order guarantee.
    return rows.map(fileFromRow).sort((a, b) => a.id - b.id);
  }

  releaseLeases(owner?: string): number {
    return owner === undefined ? this.#releaseAll.run().changes : this.#releaseOwner.run(owner).changes;
  }

  releaseLease(fileId: number, owner: string): void {
    this.#releaseOne.run({ id: fileId, owner });
  }

  get(id: number): FileRecord | null {
    const row = this.#get.get(id);
    return row === undefined ? null : fileFromRow(row);
  }

  find(jobId: number, path: string): FileRecord | null {
    const row = this.#find.get({ jobId, path });
    return row === undefined ? null : fileFromRow(row);
  }

  list(jobId: number, options: { state?: FileState; afterId?: number; limit?: number } = {}): FileRecord[] {
    const params: ListParams = {
      jobId,
      state: options.state ?? null,
      afterId: options.afterId ?? 0,
      // SQLite reads a negative LIMIT as "no limit".
      limit: options.limit === undefined ? -1 : Math.floor(options.limit),
    };
    const statement = options.state === undefined ? this.#listAll : this.#listState;
    return statement.all(params).map(fileFromRow);
  }

  oldestInState(jobId: number, state: FileState): number | null {
    return this.#oldest.get({ jobId, state })?.at ?? null;
  }
}

guardMethods(ClaimStore, (store, err) => classifySqliteError(err, store.journalPath));
