import type Database from "better-sqlite3";
import { classifySqliteError } from "./classify-sqlite-error.js";
import { guardMethods } from "./guard-methods.js";
import { jobNotFound } from "./job-not-found.js";
import type { DeletionsJournal, RemoteDeletion } from "./journal.js";
import type { StoreContext } from "./store-context.js";

interface DeletionRow {
  id: number;
  path: string;
  state: RemoteDeletion["state"];
  commit_id: number | null;
}

const fromRow = (r: DeletionRow): RemoteDeletion => ({
  id: r.id,
  path: r.path,
  state: r.state,
  commitId: r.commit_id,
});

/**
 * Deletions to mirror on the Hub (watch jobs with --delete). Rows are queued by finishScan (scan
 * store), attached to and settled with their commit (commit store); this store hands them to the
 * committer.
 */
export class DeletionStore implements DeletionsJournal {
  readonly #pending: Database.Statement<{ jobId: number; limit: number }, DeletionRow>;
  readonly #done: Database.Statement<{ id: number; jobId: number; now: number }>;
  readonly #ofCommit: Database.Statement<[number], DeletionRow>;
  readonly #count: Database.Statement<[number], { state: string; n: number }>;
  readonly #doneMany: (jobId: number, ids: readonly number[]) => void;
  readonly #queueListed: (jobId: number, paths: readonly string[]) => number;

  /** For error messages (guardMethods below). */
  readonly journalPath: string;

  constructor(ctx: StoreContext) {
    this.journalPath = ctx.path;
    const { db } = ctx;
    this.#pending = db.prepare(
      "SELECT id, path, state, commit_id FROM remote_deletions WHERE job_id = @jobId AND state = 'pending' " +
        "ORDER BY id LIMIT @limit",
    );
    this.#done = db.prepare(
      "UPDATE remote_deletions SET state = 'deleted', commit_id = NULL, settled_at = @now " +
        "WHERE id = @id AND job_id = @jobId AND state = 'pending'",
    );
    this.#ofCommit = db.prepare(
      "SELECT id, path, state, commit_id FROM remote_deletions WHERE commit_id = ? AND state = 'committing' ORDER BY id",
    );
    this.#count = db.prepare(
      "SELECT state, COUNT(*) AS n FROM remote_deletions WHERE job_id = ? GROUP BY state",
    );
    this.#doneMany = db.transaction((jobId: number, ids: readonly number[]) => {
      const now = ctx.now();
      for (const id of ids) this.#done.run({ id, jobId, now });
    }).immediate;
    // A path the job holds as a file (any state but vanished) is uploaded by it: never deleted.
    const queue = db.prepare<{ jobId: number; path: string; now: number }>(
      "INSERT INTO remote_deletions (job_id, path, state, created_at) SELECT @jobId, @path, 'pending', @now " +
        "WHERE NOT EXISTS (SELECT 1 FROM files WHERE job_id = @jobId AND path = @path AND state <> 'vanished') " +
        "ON CONFLICT (job_id, path) DO NOTHING",
    );
    const listed = db.prepare<{ jobId: number; now: number }>(
      "UPDATE jobs SET deletions_listed_at = @now, updated_at = @now WHERE id = @jobId",
    );
    this.#queueListed = db.transaction((jobId: number, paths: readonly string[]) => {
      const now = ctx.now();
      if (listed.run({ jobId, now }).changes === 0) throw jobNotFound(ctx.path, jobId);
      let queued = 0;
      for (const path of paths) queued += queue.run({ jobId, path, now }).changes;
      return queued;
    }).immediate;
  }

  pending(jobId: number, limit: number): RemoteDeletion[] {
    return this.#pending.all({ jobId, limit }).map(fromRow);
  }

  markDone(jobId: number, ids: readonly number[]): void {
    this.#doneMany(jobId, ids);
  }

  forCommit(commitId: number): RemoteDeletion[] {
    return this.#ofCommit.all(commitId).map(fromRow);
  }

  queueListed(jobId: number, paths: readonly string[]): number {
    return this.#queueListed(jobId, paths);
  }

  counts(jobId: number): { pending: number; committing: number; deleted: number } {
    const out = { pending: 0, committing: 0, deleted: 0 };
    for (const row of this.#count.all(jobId)) {
      if (row.state === "pending" || row.state === "committing" || row.state === "deleted")
        out[row.state] = row.n;
    }
    return out;
  }
}

guardMethods(DeletionStore, (store, err) => classifySqliteError(err, store.journalPath));
