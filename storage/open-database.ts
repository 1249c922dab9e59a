import { closeSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { classifySqliteError } from "./classify-sqlite-error.js";
import { loadMigrations } from "./load-migrations.js";
import { assertNotFromFuture, migrate } from "./migrate.js";

export interface OpenDatabaseOptions {
  /** How long a statement waits for another connection's write lock. Default 5000 ms. */
  readonly busyTimeoutMs?: number;
  /**
   * TESTS ONLY: caps the file at this many pages (PRAGMA max_page_count) so that "disk full"
   * (SQLITE_FULL) can be produced without filling a disk. Default: no cap.
   */
  readonly maxPageCount?: number;
}

/** Creates the journal file readable by its owner only, if it does not exist yet. */
function createPrivateFile(path: string): void {
  try {
    closeSync(openSync(path, "wx", 0o600));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
}

/**
 * Opens (creating if needed) the SQLite journal at `path`: folder 0700 and file 0600 when created,
 * refuses a schema from the future, sets the pragmas, applies pending migrations. Every failure
 * comes out as a HubpushError (ERR_JOURNAL_*).
 */
export function openDatabase(path: string, options: OpenDatabaseOptions = {}): Database.Database {
  let db: Database.Database;
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    createPrivateFile(path);
    db = new Database(path, { timeout: options.busyTimeoutMs ?? 5000 });
  } catch (err) {
    throw classifySqliteError(err, path);
  }
  try {
    const migrations = loadMigrations();
    // Before any write (the WAL switch writes the header): a newer journal must stay untouched.
    assertNotFromFuture(db, path, migrations);
    db.pragma("journal_mode = WAL");
    // In WAL mode NORMAL syncs at checkpoints, not at each commit: a power cut may lose the last
    // transactions (re-work), never corrupt the file. See docs/journal.md.
    db.pragma("synchronous = NORMAL");
    db.pragma("foreign_keys = ON");
    migrate(db, path, migrations);
    if (options.maxPageCount !== undefined) db.pragma(`max_page_count = ${Math.floor(options.maxPageCount)}`);
    return db;
  } catch (err) {
    db.close();
    throw classifySqliteError(err, path);
  }
}
