import type Database from "better-sqlite3";
import { classifySqliteError } from "./classify-sqlite-error.js";
import type { EventPayload, EventType } from "./event-catalogue.js";
import { guardMethods } from "./guard-methods.js";
import type { EventRecord, EventsJournal } from "./journal.js";
import type { StoreContext } from "./store-context.js";

interface EventRow {
  id: number;
  at: number;
  job_id: number | null;
  type: string;
  data: string;
}

function eventFromRow(row: EventRow): EventRecord {
  const data: unknown = JSON.parse(row.data);
  return {
    id: row.id,
    at: row.at,
    jobId: row.job_id,
    type: row.type,
    data: typeof data === "object" && data !== null ? (data as Record<string, unknown>) : {},
  };
}

/**
 * The append-only event log. AUTOINCREMENT ids never repeat and grow by exactly one per event (a
 * rolled-back insert also rolls back the sequence), so a reader resumes from the last id it saw.
 */
export class EventStore implements EventsJournal {
  readonly #ctx: StoreContext;
  readonly #append: Database.Statement<
    { at: number; jobId: number | null; type: string; data: string },
    EventRow
  >;
  readonly #read: Database.Statement<{ since: number; limit: number }, EventRow>;
  readonly #last: Database.Statement<[], { seq: number }>;
  readonly #prune: Database.Statement<{ keep: number }>;

  /** For error messages (guardMethods below). */
  readonly journalPath: string;

  constructor(ctx: StoreContext) {
    this.journalPath = ctx.path;
    this.#ctx = ctx;
    const { db } = ctx;
    this.#append = db.prepare(
      "INSERT INTO events (at, job_id, type, data) VALUES (@at, @jobId, @type, @data) RETURNING *",
    );
    this.#read = db.prepare("SELECT * FROM events WHERE id > @since ORDER BY id LIMIT @limit");
    // sqlite_sequence keeps the last id handed out even when every event has been pruned.
    this.#last = db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'events'");
    this.#prune = db.prepare(
      "DELETE FROM events WHERE id <= (SELECT id FROM events ORDER BY id DESC LIMIT 1 OFFSET @keep)",
    );
  }

  append<T extends EventType>(type: T, jobId: number | null, data: EventPayload<T>): EventRecord {
    const row = this.#append.get({ at: this.#ctx.now(), jobId, type, data: JSON.stringify(data) });
    if (row === undefined) throw new Error("INSERT … RETURNING gave no row");
    return eventFromRow(row);
  }

  read(sinceId: number, limit: number): EventRecord[] {
    return this.#read.all({ since: sinceId, limit: Math.max(0, Math.floor(limit)) }).map(eventFromRow);
  }

  lastId(): number {
    return this.#last.get()?.seq ?? 0;
  }

  prune(keep: number): number {
    return this.#prune.run({ keep: Math.max(0, Math.floor(keep)) }).changes;
  }
}

guardMethods(EventStore, (store, err) => classifySqliteError(err, store.journalPath));
