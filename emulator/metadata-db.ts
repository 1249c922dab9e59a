import Database from "better-sqlite3";

export type RepoType = "model" | "dataset" | "space";

export interface RepoRow {
  readonly id: number;
  readonly type: RepoType;
  readonly namespace: string;
  readonly name: string;
  readonly mongo_id: string;
  readonly private: number;
  readonly created_at: number;
  readonly next_seq: number;
  readonly next_pr: number;
}

export interface RefRow {
  readonly repo_id: number;
  readonly name: string;
  readonly kind: "branch" | "pr";
  readonly line_id: number;
  readonly head_seq: number;
  readonly head_commit: string;
}

export interface CommitRow {
  readonly id: string;
  readonly repo_id: number;
  readonly seq: number;
  readonly line_id: number;
  readonly parent_id: string | null;
  readonly title: string;
  readonly message: string;
  readonly author: string;
  readonly created_at: number;
}

/*
 * Trees are versioned rows rather than snapshots, so a commit costs O(its operations):
 * each (line, path) version is one `entries` row, visible at sequence s of its line when
 * added_seq <= s < removed_seq. A "line" is the history of one ref; creating a ref copies the
 * rows visible at its starting commit (the only O(files) operation). Sequence numbers are
 * global per repo, so a commit id maps to (line, seq) and historic revisions stay readable.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS repos (
  id INTEGER PRIMARY KEY,
  type TEXT NOT NULL,
  namespace TEXT NOT NULL,
  name TEXT NOT NULL,
  mongo_id TEXT NOT NULL,
  private INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  next_seq INTEGER NOT NULL DEFAULT 1,
  next_pr INTEGER NOT NULL DEFAULT 1,
  UNIQUE (type, namespace, name)
);
CREATE TABLE IF NOT EXISTS tags (
  repo_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  commit_id TEXT NOT NULL,
  message TEXT NOT NULL,
  PRIMARY KEY (repo_id, name)
);
CREATE TABLE IF NOT EXISTS discussions (
  repo_id INTEGER NOT NULL,
  num INTEGER NOT NULL,
  title TEXT NOT NULL,
  description TEXT NOT NULL,
  is_pr INTEGER NOT NULL,
  author TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (repo_id, num)
);
CREATE TABLE IF NOT EXISTS redirects (
  type TEXT NOT NULL,
  namespace TEXT NOT NULL,
  name TEXT NOT NULL,
  repo_id INTEGER NOT NULL,
  PRIMARY KEY (type, namespace, name)
);
CREATE TABLE IF NOT EXISTS lines (id INTEGER PRIMARY KEY AUTOINCREMENT, repo_id INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS refs (
  repo_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  line_id INTEGER NOT NULL UNIQUE,
  head_seq INTEGER NOT NULL,
  head_commit TEXT NOT NULL,
  PRIMARY KEY (repo_id, name)
);
CREATE TABLE IF NOT EXISTS commits (
  id TEXT PRIMARY KEY,
  repo_id INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  line_id INTEGER NOT NULL,
  parent_id TEXT,
  title TEXT NOT NULL,
  message TEXT NOT NULL,
  author TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (repo_id, seq)
);
CREATE TABLE IF NOT EXISTS entries (
  line_id INTEGER NOT NULL,
  path TEXT NOT NULL,
  added_seq INTEGER NOT NULL,
  removed_seq INTEGER,
  kind TEXT NOT NULL,
  size INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  blob_oid TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS entries_by_path ON entries (line_id, path, added_seq);
CREATE INDEX IF NOT EXISTS entries_live ON entries (line_id, path) WHERE removed_seq IS NULL;
CREATE TABLE IF NOT EXISTS blobs (sha256 TEXT PRIMARY KEY, content BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS parts (
  upload_id TEXT NOT NULL,
  part_number INTEGER NOT NULL,
  etag TEXT NOT NULL,
  size INTEGER NOT NULL,
  PRIMARY KEY (upload_id, part_number)
);
`;

/** Opens (creating if needed) the emulator's SQLite metadata file. */
export function openMetadataDb(file: string): Database.Database {
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("foreign_keys = OFF");
  db.exec(SCHEMA);
  return db;
}
