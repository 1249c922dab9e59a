import type Database from "better-sqlite3";
import { HubpushError } from "../common/hubpush-error.js";
import { classifySqliteError } from "./classify-sqlite-error.js";
import { guardMethods } from "./guard-methods.js";
import { type JobRow, jobFromRow } from "./job-from-row.js";
import { jobNotFound } from "./job-not-found.js";
import type { JobsJournal } from "./journal.js";
import {
  type ErrorInfo,
  FILE_STATES,
  type FileState,
  type JobCounts,
  type JobOptions,
  type JobRecord,
  type JobSpec,
  type JobState,
  type StateCount,
} from "./journal.js";
import type { StoreContext } from "./store-context.js";

interface SpecParams {
  folder: string;
  endpoint: string;
  repoType: string;
  repoId: string;
  revision: string;
  pathInRepo: string;
}

interface CountRow {
  state: string;
  files: number;
  bytes: number;
  waiting: number;
}

function specParams(spec: JobSpec): SpecParams {
  return {
    folder: spec.folder,
    endpoint: spec.endpoint,
    repoType: spec.repoType,
    repoId: spec.repoId,
    revision: spec.revision,
    pathInRepo: spec.pathInRepo,
  };
}

/**
 * A path that was a folder when its job was made and is a file now (or the reverse), with the same
 * repo target: the job's files and journal rows describe the other kind, so reusing it would mix
 * them. Refused; another --path-in-repo makes a new job.
 */
function refuseKindChange(existing: JobRecord, spec: JobSpec): void {
  const wanted = spec.kind ?? "folder";
  if (existing.kind === wanted) return;
  throw new HubpushError(
    "ERR_JOB_KIND_CONFLICT",
    `job ${existing.id} uploads ${existing.folder} as a ${existing.kind}, but it is now a ${wanted}: give another --path-in-repo to upload it as a new job`,
    { details: { jobId: existing.id, path: existing.folder } },
  );
}

/** Jobs: identity, options, state, errors, and the trigger-maintained counters. */
export class JobStore implements JobsJournal {
  readonly #ctx: StoreContext;
  readonly #findBySpec: Database.Statement<SpecParams, JobRow>;
  readonly #insert: Database.Statement<SpecParams & { options: string; now: number; kind: string }, JobRow>;
  readonly #updateOptions: Database.Statement<{ id: number; options: string; now: number }, JobRow>;
  readonly #get: Database.Statement<[number], JobRow>;
  readonly #list: Database.Statement<[], JobRow>;
  readonly #setState: Database.Statement<
    { id: number; state: string; code: string | null; message: string | null; now: number },
    JobRow
  >;
  readonly #recordError: Database.Statement<{ id: number; code: string; message: string; now: number }>;
  readonly #counts: Database.Statement<[number], CountRow>;
  readonly #awaitingCommit: Database.Statement<[number], { files: number; bytes: number }>;
  readonly #moved: Database.Statement<{ id: number; repoId: string; now: number }>;
  readonly #pullRequest: Database.Statement<{ id: number; num: number; now: number }>;
  readonly #pullRequestFloor: Database.Statement<{ id: number; floor: number; now: number }>;
  readonly #upsert: (spec: JobSpec, options: JobOptions) => { job: JobRecord; created: boolean };

  /** For error messages (guardMethods below). */
  readonly journalPath: string;

  constructor(ctx: StoreContext) {
    this.journalPath = ctx.path;
    this.#ctx = ctx;
    const { db } = ctx;
    const identity =
      "folder = @folder AND endpoint = @endpoint AND repo_type = @repoType AND repo_id = @repoId " +
      "AND revision = @revision AND path_in_repo = @pathInRepo";
    this.#findBySpec = db.prepare(`SELECT * FROM jobs WHERE ${identity}`);
    this.#insert = db.prepare(
      "INSERT INTO jobs (folder, endpoint, repo_type, repo_id, revision, path_in_repo, options, created_at, updated_at, kind) " +
        "VALUES (@folder, @endpoint, @repoType, @repoId, @revision, @pathInRepo, @options, @now, @now, @kind) RETURNING *",
    );
    this.#updateOptions = db.prepare(
      "UPDATE jobs SET options = @options, updated_at = @now WHERE id = @id RETURNING *",
    );
    this.#get = db.prepare("SELECT * FROM jobs WHERE id = ?");
    this.#list = db.prepare("SELECT * FROM jobs ORDER BY id");
    // finished_at: set on entering done/cancelled, kept while staying there, cleared on leaving.
    this.#setState = db.prepare(
      "UPDATE jobs SET state = @state, blocked_code = @code, blocked_message = @message, updated_at = @now, " +
        "finished_at = CASE WHEN @state NOT IN ('done', 'cancelled') THEN NULL " +
        "WHEN state = @state AND finished_at IS NOT NULL THEN finished_at ELSE @now END " +
        "WHERE id = @id RETURNING *",
    );
    this.#recordError = db.prepare(
      "UPDATE jobs SET last_error_code = @code, last_error_message = @message, last_error_at = @now, " +
        "updated_at = @now WHERE id = @id",
    );
    this.#moved = db.prepare("UPDATE jobs SET moved_repo_id = @repoId, updated_at = @now WHERE id = @id");
    this.#pullRequest = db.prepare("UPDATE jobs SET pull_request = @num, updated_at = @now WHERE id = @id");
    this.#pullRequestFloor = db.prepare(
      "UPDATE jobs SET pull_request_floor = @floor, updated_at = @now WHERE id = @id",
    );
    this.#counts = db.prepare("SELECT state, files, bytes, waiting FROM job_counts WHERE job_id = ?");
    this.#awaitingCommit = db.prepare(
      "SELECT count(*) AS files, coalesce(sum(size), 0) AS bytes FROM files " +
        "WHERE job_id = ? AND state IN ('uploaded', 'committing') AND upload_mode = 'regular'",
    );
    this.#upsert = db.transaction((spec: JobSpec, options: JobOptions) => {
      const params = { options: JSON.stringify(options), now: ctx.now() };
      const existing = this.#findBySpec.get(specParams(spec));
      if (existing !== undefined) {
        refuseKindChange(jobFromRow(existing), spec);
        const row = this.#updateOptions.get({ id: existing.id, ...params });
        return { job: jobFromRow(row ?? existing), created: false };
      }
      const row = this.#insert.get({ ...specParams(spec), ...params, kind: spec.kind ?? "folder" });
      if (row === undefined) throw new Error("INSERT … RETURNING gave no row");
      return { job: jobFromRow(row), created: true };
    }).immediate;
  }

  upsert(spec: JobSpec, options: JobOptions): { job: JobRecord; created: boolean } {
    return this.#upsert(spec, options);
  }

  find(spec: JobSpec): JobRecord | null {
    const row = this.#findBySpec.get(specParams(spec));
    return row === undefined ? null : jobFromRow(row);
  }

  get(id: number): JobRecord | null {
    const row = this.#get.get(id);
    return row === undefined ? null : jobFromRow(row);
  }

  list(): JobRecord[] {
    return this.#list.all().map(jobFromRow);
  }

  setState(id: number, state: JobState, blocked: ErrorInfo | null = null): JobRecord {
    const kept = state === "blocked" ? blocked : null;
    const row = this.#setState.get({
      id,
      state,
      code: kept?.code ?? null,
      message: kept?.message ?? null,
      now: this.#ctx.now(),
    });
    if (row === undefined) throw jobNotFound(this.#ctx.path, id);
    return jobFromRow(row);
  }

  recordRepoMoved(id: number, repoId: string): void {
    const result = this.#moved.run({ id, repoId, now: this.#ctx.now() });
    if (result.changes === 0) throw jobNotFound(this.#ctx.path, id);
  }

  recordPullRequest(id: number, num: number): void {
    const result = this.#pullRequest.run({ id, num, now: this.#ctx.now() });
    if (result.changes === 0) throw jobNotFound(this.#ctx.path, id);
  }

  recordPullRequestFloor(id: number, floor: number): void {
    const result = this.#pullRequestFloor.run({ id, floor, now: this.#ctx.now() });
    if (result.changes === 0) throw jobNotFound(this.#ctx.path, id);
  }

  recordError(id: number, error: ErrorInfo): void {
    const result = this.#recordError.run({
      id,
      code: error.code,
      message: error.message,
      now: this.#ctx.now(),
    });
    if (result.changes === 0) throw jobNotFound(this.#ctx.path, id);
  }

  /** Reads the job's ten job_counts rows; never touches `files`. Unknown job: all zero. */
  counts(jobId: number): JobCounts {
    const byState = {} as Record<FileState, StateCount>;
    for (const state of FILE_STATES) byState[state] = { files: 0, bytes: 0 };
    let waiting = 0;
    let files = 0;
    let bytes = 0;
    for (const row of this.#counts.all(jobId)) {
      byState[row.state as FileState] = { files: row.files, bytes: row.bytes };
      waiting += row.waiting;
      files += row.files;
      bytes += row.bytes;
    }
    return { byState, waiting, total: { files, bytes } };
  }
  awaitingCommit(jobId: number): StateCount {
    return this.#awaitingCommit.get(jobId) ?? { files: 0, bytes: 0 };
  }
}

guardMethods(JobStore, (store, err) => classifySqliteError(err, store.journalPath));
