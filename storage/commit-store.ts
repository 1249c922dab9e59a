import type Database from "better-sqlite3";
import { HubpushError } from "../common/hubpush-error.js";
import { classifySqliteError } from "./classify-sqlite-error.js";
import { type CommitRow, commitFromRow } from "./commit-from-row.js";
import { FILE_COLUMNS, type FileRow, fileFromRow } from "./file-from-row.js";
import { guardMethods } from "./guard-methods.js";
import { jobNotFound } from "./job-not-found.js";
import type { CommitRecord, CommitsJournal, ErrorInfo, FileRecord } from "./journal.js";
import type { StoreContext } from "./store-context.js";

interface SettleParams {
  id: number;
  state: string;
  oid: string | null;
  code: string | null;
  message: string | null;
  now: number;
}

/** What createCommit records when none of the files was still ready (a rescan reset them). */
const NOTHING_READY: ErrorInfo = {
  code: "ERR_FILE_CHANGED",
  message: "none of the batch's files was still ready to commit (they changed and are hashed again)",
};

/**
 * Commit batches. `sent` is written before the POST and `committed` only after the Hub answered
 * with a commitOid, so the journal never claims a commit that did not happen.
 */
export class CommitStore implements CommitsJournal {
  readonly #ctx: StoreContext;
  readonly #jobExists: Database.Statement<[number], { id: number }>;
  readonly #insert: Database.Statement<{ jobId: number; message: string; now: number }, { id: number }>;
  readonly #attach: Database.Statement<{ ids: string; jobId: number; commitId: number; now: number }>;
  readonly #setCount: Database.Statement<{ id: number; count: number }>;
  readonly #get: Database.Statement<[number], CommitRow>;
  /** Settles a batch that is still open (sent or unknown); returns nothing if it was settled already. */
  readonly #settle: Database.Statement<SettleParams, CommitRow>;
  readonly #filesTo: Database.Statement<{ commitId: number; state: string; now: number }>;
  readonly #fileCommitted: Database.Statement<{ fileId: number; commitId: number; now: number }>;
  readonly #countCommit: Database.Statement<{ jobId: number; now: number }>;
  readonly #deletionsTo: Database.Statement<{ commitId: number; deleted: number; now: number }>;
  readonly #lastCommitAt: Database.Statement<[number], { at: number | null }>;
  readonly #jobError: Database.Statement<{ jobId: number; code: string; message: string; now: number }>;
  readonly #unsettled: Database.Statement<[number], CommitRow>;
  readonly #list: Database.Statement<[number], CommitRow>;
  readonly #files: Database.Statement<[number], FileRow>;
  readonly #attachDeletion: Database.Statement<{ id: number; jobId: number; commitId: number }>;
  readonly #deletionDone: Database.Statement<{ id: number; commitId: number; now: number }>;
  readonly #create: (
    jobId: number,
    fileIds: readonly number[],
    message: string,
    deletionIds: readonly number[],
  ) => CommitRecord;
  readonly #done: (commitId: number, oid: string) => void;
  readonly #failed: (commitId: number, error: ErrorInfo) => void;
  readonly #reconcile: (commitId: number, committed: readonly number[], deleted: readonly number[]) => void;

  /** For error messages (guardMethods below). */
  readonly journalPath: string;

  constructor(ctx: StoreContext) {
    this.journalPath = ctx.path;
    this.#ctx = ctx;
    const { db } = ctx;
    this.#jobExists = db.prepare("SELECT id FROM jobs WHERE id = ?");
    this.#insert = db.prepare(
      "INSERT INTO commits (job_id, state, message, file_count, created_at) " +
        "VALUES (@jobId, 'sent', @message, 0, @now) RETURNING id",
    );
    // The whole batch in one statement: its ids as one JSON array (issue 16 item 1).
    this.#attach = db.prepare(
      "UPDATE files SET state = 'committing', commit_id = @commitId, next_attempt_at = NULL, " +
        "lease_owner = NULL, lease_until = NULL, updated_at = @now " +
        "WHERE id IN (SELECT value FROM json_each(@ids)) AND job_id = @jobId AND state = 'uploaded'",
    );
    this.#setCount = db.prepare("UPDATE commits SET file_count = @count WHERE id = @id");
    this.#get = db.prepare("SELECT * FROM commits WHERE id = ?");
    this.#settle = db.prepare(
      "UPDATE commits SET state = @state, commit_oid = COALESCE(@oid, commit_oid), " +
        "error_code = COALESCE(@code, error_code), error_message = COALESCE(@message, error_message), " +
        "settled_at = CASE WHEN @state = 'unknown' THEN NULL ELSE @now END " +
        "WHERE id = @id AND (state = 'sent' OR (state = 'unknown' AND @state <> 'unknown')) RETURNING *",
    );
    // Moves the batch's files that are still in it; back to uploaded also detaches them.
    this.#filesTo = db.prepare(
      "UPDATE files SET state = @state, " +
        "commit_id = CASE WHEN @state = 'committed' THEN commit_id ELSE NULL END, " +
        "lease_owner = NULL, lease_until = NULL, updated_at = @now " +
        "WHERE commit_id = @commitId AND state = 'committing'",
    );
    this.#fileCommitted = db.prepare(
      "UPDATE files SET state = 'committed', lease_owner = NULL, lease_until = NULL, updated_at = @now " +
        "WHERE id = @fileId AND commit_id = @commitId AND state = 'committing'",
    );
    this.#countCommit = db.prepare(
      "UPDATE jobs SET commits_made = commits_made + 1, updated_at = @now WHERE id = @jobId",
    );
    // Deletions riding a batch settle with it: landed → deleted, refused → pending again.
    this.#deletionsTo = db.prepare(
      "UPDATE remote_deletions SET state = CASE WHEN @deleted = 1 THEN 'deleted' ELSE 'pending' END, " +
        "commit_id = NULL, settled_at = CASE WHEN @deleted = 1 THEN @now ELSE NULL END " +
        "WHERE commit_id = @commitId AND state = 'committing'",
    );
    this.#attachDeletion = db.prepare(
      "UPDATE remote_deletions SET state = 'committing', commit_id = @commitId " +
        "WHERE id = @id AND job_id = @jobId AND state = 'pending'",
    );
    this.#deletionDone = db.prepare(
      "UPDATE remote_deletions SET state = 'deleted', commit_id = NULL, settled_at = @now " +
        "WHERE id = @id AND commit_id = @commitId AND state = 'committing'",
    );
    this.#lastCommitAt = db.prepare(
      "SELECT MAX(created_at) AS at FROM commits WHERE job_id = ? AND state IN ('committed', 'reconciled', 'sent', 'unknown')",
    );
    this.#jobError = db.prepare(
      "UPDATE jobs SET last_error_code = @code, last_error_message = @message, last_error_at = @now, " +
        "updated_at = @now WHERE id = @jobId",
    );
    this.#unsettled = db.prepare(
      "SELECT * FROM commits WHERE job_id = ? AND state IN ('sent', 'unknown') ORDER BY id",
    );
    this.#list = db.prepare("SELECT * FROM commits WHERE job_id = ? ORDER BY id");
    this.#files = db.prepare(`SELECT ${FILE_COLUMNS} FROM files WHERE commit_id = ? ORDER BY id`);

    this.#create = db.transaction(
      (jobId: number, fileIds: readonly number[], message: string, deletionIds: readonly number[]) => {
        if (this.#jobExists.get(jobId) === undefined) throw jobNotFound(ctx.path, jobId);
        const now = ctx.now();
        const commit = this.#insert.get({ jobId, message, now });
        if (commit === undefined) throw new Error("INSERT … RETURNING gave no row");
        const ids = JSON.stringify([...new Set(fileIds)]);
        const count = this.#attach.run({ ids, jobId, commitId: commit.id, now }).changes;
        this.#setCount.run({ id: commit.id, count });
        let deletions = 0;
        for (const id of new Set(deletionIds))
          deletions += this.#attachDeletion.run({ id, jobId, commitId: commit.id }).changes;
        if (count === 0 && deletions === 0) {
          // Nothing to send: settle it at once so it never waits for a reconciliation.
          this.#settle.run({
            id: commit.id,
            state: "failed",
            oid: null,
            ...this.#errorParams(NOTHING_READY),
            now,
          });
        }
        return commitFromRow(this.#mustGet(commit.id));
      },
    ).immediate;

    this.#done = db.transaction((commitId: number, oid: string) => {
      const now = ctx.now();
      const row = this.#settleOrCheck(commitId, "committed", oid, null, now);
      if (row === undefined) return;
      this.#filesTo.run({ commitId, state: "committed", now });
      this.#deletionsTo.run({ commitId, deleted: 1, now });
      this.#countCommit.run({ jobId: row.job_id, now });
    }).immediate;

    this.#failed = db.transaction((commitId: number, error: ErrorInfo) => {
      const now = ctx.now();
      const row = this.#settleOrCheck(commitId, "failed", null, error, now);
      if (row === undefined) return;
      this.#filesTo.run({ commitId, state: "uploaded", now });
      this.#deletionsTo.run({ commitId, deleted: 0, now });
      this.#jobError.run({ jobId: row.job_id, code: error.code, message: error.message, now });
    }).immediate;

    this.#reconcile = db.transaction(
      (commitId: number, committed: readonly number[], deleted: readonly number[]) => {
        const now = ctx.now();
        const row = this.#settleOrCheck(commitId, "reconciled", null, null, now);
        if (row === undefined) return;
        let found = 0;
        for (const fileId of new Set(committed))
          found += this.#fileCommitted.run({ fileId, commitId, now }).changes;
        for (const id of new Set(deleted)) found += this.#deletionDone.run({ id, commitId, now }).changes;
        this.#filesTo.run({ commitId, state: "uploaded", now });
        this.#deletionsTo.run({ commitId, deleted: 0, now });
        // Files found on the Hub mean the lost commit did happen.
        if (found > 0) this.#countCommit.run({ jobId: row.job_id, now });
      },
    ).immediate;
  }

  #errorParams(error: ErrorInfo | null): { code: string | null; message: string | null } {
    return { code: error?.code ?? null, message: error?.message ?? null };
  }

  #mustGet(commitId: number): CommitRow {
    const row = this.#get.get(commitId);
    if (row === undefined) {
      throw new HubpushError(
        "ERR_INTERNAL",
        `There is no commit batch ${commitId} in the journal ${this.#ctx.path}. This is a bug in hubpush.`,
        { details: { commitId, path: this.#ctx.path } },
      );
    }
    return row;
  }

  /** Settles an open batch; a batch already settled is left as it is (undefined), a missing one throws. */
  #settleOrCheck(
    commitId: number,
    state: string,
    oid: string | null,
    error: ErrorInfo | null,
    now: number,
  ): CommitRow | undefined {
    const row = this.#settle.get({ id: commitId, state, oid, ...this.#errorParams(error), now });
    if (row === undefined) this.#mustGet(commitId);
    return row;
  }

  create(
    jobId: number,
    fileIds: readonly number[],
    message: string,
    deletionIds: readonly number[] = [],
  ): CommitRecord {
    return this.#create(jobId, fileIds, message, deletionIds);
  }

  recordDone(commitId: number, commitOid: string): void {
    this.#done(commitId, commitOid);
  }

  recordFailed(commitId: number, error: ErrorInfo): void {
    this.#failed(commitId, error);
  }

  markUnknown(commitId: number, error: ErrorInfo): void {
    this.#settleOrCheck(commitId, "unknown", null, error, this.#ctx.now());
  }

  reconcile(commitId: number, committedFileIds: readonly number[], deletedIds: readonly number[] = []): void {
    this.#reconcile(commitId, committedFileIds, deletedIds);
  }

  listUnsettled(jobId: number): CommitRecord[] {
    return this.#unsettled.all(jobId).map(commitFromRow);
  }

  lastSentAt(jobId: number): number | null {
    return this.#lastCommitAt.get(jobId)?.at ?? null;
  }

  list(jobId: number): CommitRecord[] {
    return this.#list.all(jobId).map(commitFromRow);
  }

  files(commitId: number): FileRecord[] {
    return this.#files.all(commitId).map(fileFromRow);
  }
}

guardMethods(CommitStore, (store, err) => classifySqliteError(err, store.journalPath));
