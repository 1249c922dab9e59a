import { randomBytes } from "node:crypto";
import type Database from "better-sqlite3";
import type { CommitRow, RefRow, RepoRow, RepoType } from "./metadata-db.js";

/** A readable tree state: one line (ref history) at one sequence number. */
export interface TreeView {
  readonly lineId: number;
  readonly seq: number;
  readonly commitId: string;
}

export interface NewCommit {
  readonly id: string;
  readonly seq: number;
  readonly lineId: number;
  readonly parentId: string | null;
  readonly title: string;
  readonly message: string;
  readonly author: string;
  readonly createdAt: number;
}

/** Repos, refs and commits in SQLite. Synchronous: callers compose calls inside one transaction. */
export class RepoStore {
  readonly #db: Database.Database;
  readonly #findRepo: Database.Statement<[string, string, string], RepoRow>;
  readonly #repoById: Database.Statement<[number], RepoRow>;
  readonly #insertRepo: Database.Statement<[string, string, string, string, number, number]>;
  readonly #takeSeq: Database.Statement<[number], { next_seq: number }>;
  readonly #takePr: Database.Statement<[number], { next_pr: number }>;
  readonly #insertLine: Database.Statement<[number]>;
  readonly #getRef: Database.Statement<[number, string], RefRow>;
  readonly #listRefs: Database.Statement<[number], RefRow>;
  readonly #insertRef: Database.Statement<[number, string, string, number, number, string]>;
  readonly #setHead: Database.Statement<[number, string, number, string]>;
  readonly #insertCommit: Database.Statement<
    [string, number, number, number, string | null, string, string, string, number]
  >;
  readonly #getCommit: Database.Statement<[number, string], CommitRow>;
  readonly #commitsByPrefix: Database.Statement<[number, string, string], CommitRow>;
  readonly #commitBySeq: Database.Statement<[number, number], CommitRow>;
  readonly #chain: Database.Statement<
    [{ repo: number; head: string; offset: number; limit: number }],
    CommitRow
  >;
  readonly #chainLength: Database.Statement<[{ repo: number; head: string }], { n: number }>;

  constructor(db: Database.Database) {
    this.#db = db;
    // Repo ids are case-insensitive, as on the Hub: `Alice/My-Model` names `alice/my-model`.
    this.#findRepo = db.prepare(
      "SELECT * FROM repos WHERE type = ? AND namespace = ? COLLATE NOCASE AND name = ? COLLATE NOCASE",
    );
    this.#repoById = db.prepare("SELECT * FROM repos WHERE id = ?");
    this.#insertRepo = db.prepare(
      "INSERT INTO repos (type, namespace, name, mongo_id, private, created_at) VALUES (?, ?, ?, ?, ?, ?)",
    );
    this.#takeSeq = db.prepare("UPDATE repos SET next_seq = next_seq + 1 WHERE id = ? RETURNING next_seq");
    this.#takePr = db.prepare("UPDATE repos SET next_pr = next_pr + 1 WHERE id = ? RETURNING next_pr");
    this.#insertLine = db.prepare("INSERT INTO lines (repo_id) VALUES (?)");
    this.#getRef = db.prepare("SELECT * FROM refs WHERE repo_id = ? AND name = ?");
    this.#listRefs = db.prepare("SELECT * FROM refs WHERE repo_id = ? ORDER BY kind, name");
    this.#insertRef = db.prepare(
      "INSERT INTO refs (repo_id, name, kind, line_id, head_seq, head_commit) VALUES (?, ?, ?, ?, ?, ?)",
    );
    this.#setHead = db.prepare(
      "UPDATE refs SET head_seq = ?, head_commit = ? WHERE repo_id = ? AND name = ?",
    );
    this.#insertCommit = db.prepare(
      `INSERT INTO commits (id, repo_id, seq, line_id, parent_id, title, message, author, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#getCommit = db.prepare("SELECT * FROM commits WHERE repo_id = ? AND id = ?");
    this.#commitsByPrefix = db.prepare(
      "SELECT * FROM commits WHERE repo_id = ? AND id >= ? AND id < ? ORDER BY id LIMIT 2",
    );
    this.#commitBySeq = db.prepare("SELECT * FROM commits WHERE repo_id = ? AND seq = ?");
    const chain = `WITH RECURSIVE chain(id, depth) AS (
        SELECT id, 0 FROM commits WHERE repo_id = @repo AND id = @head
        UNION ALL
        SELECT c.parent_id, chain.depth + 1 FROM chain JOIN commits c ON c.id = chain.id
        WHERE c.parent_id IS NOT NULL)`;
    this.#chain = db.prepare(
      `${chain} SELECT c.* FROM chain JOIN commits c ON c.id = chain.id ORDER BY chain.depth LIMIT @limit OFFSET @offset`,
    );
    this.#chainLength = db.prepare(`${chain} SELECT count(*) AS n FROM chain`);
  }

  transaction<T>(fn: () => T): T {
    return this.#db.transaction(fn)();
  }

  findRepo(type: RepoType, namespace: string, name: string): RepoRow | undefined {
    return this.#findRepo.get(type, namespace, name);
  }

  repoById(id: number): RepoRow | undefined {
    return this.#repoById.get(id);
  }

  /** Inserts the repo row and its `main` ref line; the caller adds the initial commit. */
  insertRepo(type: RepoType, namespace: string, name: string, isPrivate: boolean): RepoRow {
    const mongoId = (Math.floor(Date.now() / 1000).toString(16) + randomBytes(8).toString("hex")).slice(
      0,
      24,
    );
    const info = this.#insertRepo.run(type, namespace, name, mongoId, isPrivate ? 1 : 0, Date.now());
    const repo = this.repoById(Number(info.lastInsertRowid));
    if (!repo) throw new Error("repo row vanished after insert");
    return repo;
  }

  takeSeq(repoId: number): number {
    const row = this.#takeSeq.get(repoId);
    if (!row) throw new Error(`repo ${repoId} not found`);
    return row.next_seq - 1;
  }

  takePrNumber(repoId: number): number {
    const row = this.#takePr.get(repoId);
    if (!row) throw new Error(`repo ${repoId} not found`);
    return row.next_pr - 1;
  }

  newLine(repoId: number): number {
    return Number(this.#insertLine.run(repoId).lastInsertRowid);
  }

  getRef(repoId: number, name: string): RefRow | undefined {
    return this.#getRef.get(repoId, name);
  }

  listRefs(repoId: number): RefRow[] {
    return this.#listRefs.all(repoId);
  }

  insertRef(repoId: number, name: string, kind: "branch" | "pr", lineId: number, view: TreeView): void {
    this.#insertRef.run(repoId, name, kind, lineId, view.seq, view.commitId);
  }

  setHead(repoId: number, refName: string, seq: number, commitId: string): void {
    this.#setHead.run(seq, commitId, repoId, refName);
  }

  insertCommit(repoId: number, c: NewCommit): void {
    this.#insertCommit.run(
      c.id,
      repoId,
      c.seq,
      c.lineId,
      c.parentId,
      c.title,
      c.message,
      c.author,
      c.createdAt,
    );
  }

  getCommit(repoId: number, id: string): CommitRow | undefined {
    return this.#getCommit.get(repoId, id);
  }

  /** The unique commit whose id starts with `prefix` (lowercase hex), if exactly one does. */
  commitByPrefix(repoId: number, prefix: string): CommitRow | undefined {
    const upper = `${prefix}g`;
    const rows = this.#commitsByPrefix.all(repoId, prefix, upper);
    return rows.length === 1 ? rows[0] : undefined;
  }

  commitBySeq(repoId: number, seq: number): CommitRow | undefined {
    return this.#commitBySeq.get(repoId, seq);
  }

  /** Commits reachable from `head` by first parents, newest first. */
  history(repoId: number, head: string, offset: number, limit: number): CommitRow[] {
    return this.#chain.all({ repo: repoId, head, offset, limit });
  }

  historyLength(repoId: number, head: string): number {
    return this.#chainLength.get({ repo: repoId, head })?.n ?? 0;
  }
}
