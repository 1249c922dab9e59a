import type Database from "better-sqlite3";
import type { NowFn } from "./journal.js";

/** What every part of SqliteJournal shares: one connection, the injected clock, the file path. */
export interface StoreContext {
  readonly db: Database.Database;
  readonly now: NowFn;
  /** Absolute path of the journal, for messages. */
  readonly path: string;
}
