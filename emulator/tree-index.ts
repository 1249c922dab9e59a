import type Database from "better-sqlite3";
import type { TreeView } from "./repo-store.js";

export interface EntryRow {
  readonly path: string;
  readonly kind: "regular" | "lfs";
  readonly size: number;
  readonly sha256: string;
  /** Git blob SHA-1 of what git stores: the content, or the LFS pointer text. */
  readonly blob_oid: string;
  readonly added_seq: number;
}

export interface NewEntry {
  readonly path: string;
  readonly kind: "regular" | "lfs";
  readonly size: number;
  readonly sha256: string;
  readonly blobOid: string;
}

const COLS = "path, kind, size, sha256, blob_oid, added_seq";
const VISIBLE = "line_id = @line AND added_seq <= @seq AND (removed_seq IS NULL OR removed_seq > @seq)";

interface At {
  line: number;
  seq: number;
}

interface Range extends At {
  lower: string;
  upper: string;
  limit: number;
}

/** Versioned file entries (see metadata-db.ts for the model). */
export class TreeIndex {
  readonly #get: Database.Statement<[At & { path: string }], EntryRow>;
  readonly #rangeAfter: Database.Statement<[Range], EntryRow>;
  readonly #rangeFrom: Database.Statement<[Range], EntryRow>;
  readonly #all: Database.Statement<[At], EntryRow>;
  readonly #live: Database.Statement<[number, string], { rowid: number } & EntryRow>;
  readonly #remove: Database.Statement<[number, number]>;
  readonly #removeRange: Database.Statement<[number, number, string, string]>;
  readonly #insert: Database.Statement<[number, string, number, string, number, string, string]>;
  readonly #copy: Database.Statement<[At & { to: number }]>;

  constructor(db: Database.Database) {
    this.#get = db.prepare(`SELECT ${COLS} FROM entries WHERE ${VISIBLE} AND path = @path`);
    this.#rangeAfter = db.prepare(
      `SELECT ${COLS} FROM entries WHERE ${VISIBLE} AND path > @lower AND path < @upper ORDER BY path LIMIT @limit`,
    );
    this.#rangeFrom = db.prepare(
      `SELECT ${COLS} FROM entries WHERE ${VISIBLE} AND path >= @lower AND path < @upper ORDER BY path LIMIT @limit`,
    );
    this.#all = db.prepare(`SELECT ${COLS} FROM entries WHERE ${VISIBLE} ORDER BY path`);
    this.#live = db.prepare(
      `SELECT rowid, ${COLS} FROM entries WHERE line_id = ? AND path = ? AND removed_seq IS NULL`,
    );
    this.#remove = db.prepare("UPDATE entries SET removed_seq = ? WHERE rowid = ?");
    this.#removeRange = db.prepare(
      "UPDATE entries SET removed_seq = ? WHERE line_id = ? AND removed_seq IS NULL AND path > ? AND path < ?",
    );
    this.#insert = db.prepare(
      `INSERT INTO entries (line_id, path, added_seq, kind, size, sha256, blob_oid)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#copy = db.prepare(
      `INSERT INTO entries (line_id, path, added_seq, kind, size, sha256, blob_oid)
       SELECT @to, path, added_seq, kind, size, sha256, blob_oid FROM entries WHERE ${VISIBLE}`,
    );
  }

  get(view: TreeView, path: string): EntryRow | undefined {
    return this.#get.get({ line: view.lineId, seq: view.seq, path });
  }

  /** Visible entries with lower < path < upper (or lower <= path when `inclusive`), in path order. */
  range(view: TreeView, lower: string, upper: string, limit: number, inclusive = false): EntryRow[] {
    const stmt = inclusive ? this.#rangeFrom : this.#rangeAfter;
    return stmt.all({ line: view.lineId, seq: view.seq, lower, upper, limit });
  }

  /** True when some visible file lives under `dir/`. */
  isDirectory(view: TreeView, dir: string): boolean {
    if (dir === "") return true;
    return this.range(view, `${dir}/`, `${dir}0`, 1).length > 0;
  }

  all(view: TreeView): EntryRow[] {
    return this.#all.all({ line: view.lineId, seq: view.seq });
  }

  live(lineId: number, path: string): EntryRow | undefined {
    return this.#live.get(lineId, path);
  }

  /** Writes one file version at `seq`, retiring the live one. */
  put(lineId: number, seq: number, entry: NewEntry): void {
    const current = this.#live.get(lineId, entry.path);
    if (current) this.#remove.run(seq, current.rowid);
    this.#insert.run(lineId, entry.path, seq, entry.kind, entry.size, entry.sha256, entry.blobOid);
  }

  /** Retires a live file; false when there is none. */
  delete(lineId: number, seq: number, path: string): boolean {
    const current = this.#live.get(lineId, path);
    if (!current) return false;
    this.#remove.run(seq, current.rowid);
    return true;
  }

  /** Retires every live file under `dir/`; returns how many. */
  deleteFolder(lineId: number, seq: number, dir: string): number {
    return this.#removeRange.run(seq, lineId, `${dir}/`, `${dir}0`).changes;
  }

  /** Seeds a new line with the files visible in `from` (creating a branch or PR). */
  copyLine(from: TreeView, toLine: number): void {
    this.#copy.run({ line: from.lineId, seq: from.seq, to: toLine });
  }
}
