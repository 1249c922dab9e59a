import { resolve } from "node:path";
import type Database from "better-sqlite3";
import { ClaimStore } from "./claim-store.js";
import { classifySqliteError } from "./classify-sqlite-error.js";
import { CommitStore } from "./commit-store.js";
import { DeletionStore } from "./deletion-store.js";
import { EventStore } from "./event-store.js";
import { guardMethods } from "./guard-methods.js";
import { JobStore } from "./job-store.js";
import type { Journal, NowFn } from "./journal.js";
import { LfsStore } from "./lfs-store.js";
import { type OpenDatabaseOptions, openDatabase } from "./open-database.js";
import { ScanStore } from "./scan-store.js";
import { StageStore } from "./stage-store.js";
import { ThroughputStore } from "./throughput-store.js";
import { XetStore } from "./xet-store.js";

export interface OpenJournalOptions extends OpenDatabaseOptions {
  /** The clock for every *_at column, leases and retry times. Default Date.now. */
  readonly now?: NowFn;
}

/**
 * The Journal on one better-sqlite3 connection: the composition of its areas. Each area is one
 * store (prepared statements built once, in its constructor) that implements its interface
 * directly, so nothing here forwards. Every store method is wrapped (guardMethods, at the end of
 * each store file) so SQLite errors leave the journal as HubpushErrors.
 */
export class SqliteJournal implements Journal {
  readonly path: string;
  readonly jobs: JobStore;
  readonly scan: ScanStore;
  readonly files: ClaimStore;
  readonly stages: StageStore;
  readonly lfs: LfsStore;
  readonly commits: CommitStore;
  readonly deletions: DeletionStore;
  readonly events: EventStore;
  readonly #db: Database.Database;
  readonly throughput: ThroughputStore;
  readonly xet: XetStore;

  constructor(db: Database.Database, path: string, now: NowFn = Date.now) {
    this.path = path;
    this.#db = db;
    const ctx = { db, now, path };
    this.jobs = new JobStore(ctx);
    this.scan = new ScanStore(ctx);
    this.files = new ClaimStore(ctx);
    this.stages = new StageStore(ctx);
    this.lfs = new LfsStore(ctx);
    this.commits = new CommitStore(ctx);
    this.deletions = new DeletionStore(ctx);
    this.events = new EventStore(ctx);
    this.throughput = new ThroughputStore(ctx);
    this.xet = new XetStore(ctx);
  }

  /**
   * IMMEDIATE: the write lock is taken (waiting up to busy_timeout) before `fn` reads anything, so
   * the transaction cannot fail half-way with a stale snapshot. The journal's own transactions
   * inside `fn` become savepoints.
   */
  transaction<T>(fn: () => T): T {
    return this.#db.transaction(fn).immediate();
  }

  integrityCheck(): string[] {
    const rows = this.#db.pragma("integrity_check") as { integrity_check: string }[];
    return rows.map((row) => row.integrity_check);
  }

  /** Closes the connection; the last connection to close checkpoints and removes the WAL. Idempotent. */
  close(): void {
    if (this.#db.open) this.#db.close();
  }
}

guardMethods(SqliteJournal, (journal, err) => classifySqliteError(err, journal.path));

/**
 * Opens the journal at `path` (created with its parent folders, mode 0700, if missing), migrated
 * to the latest schema. Throws HubpushError ERR_JOURNAL_* when it cannot.
 */
export function openJournal(path: string, options: OpenJournalOptions = {}): SqliteJournal {
  const absolute = resolve(path);
  return new SqliteJournal(openDatabase(absolute, options), absolute, options.now);
}
