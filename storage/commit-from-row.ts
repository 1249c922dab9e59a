import type { CommitRecord, CommitState } from "./journal.js";

export interface CommitRow {
  readonly id: number;
  readonly job_id: number;
  readonly state: string;
  readonly message: string;
  readonly file_count: number;
  readonly commit_oid: string | null;
  readonly error_code: string | null;
  readonly error_message: string | null;
  readonly created_at: number;
  readonly settled_at: number | null;
}

export function commitFromRow(row: CommitRow): CommitRecord {
  return {
    id: row.id,
    jobId: row.job_id,
    state: row.state as CommitState,
    message: row.message,
    fileCount: row.file_count,
    commitOid: row.commit_oid,
    error: row.error_code === null ? null : { code: row.error_code, message: row.error_message ?? "" },
    createdAt: row.created_at,
    settledAt: row.settled_at,
  };
}
