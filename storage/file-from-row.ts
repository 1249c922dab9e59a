import type { FileRecord, FileState, UploadMode } from "./journal.js";

/** A `files` row as SQLite returns it (lease columns are internal and not selected). */
export interface FileRow {
  readonly id: number;
  readonly job_id: number;
  readonly path: string;
  readonly state: string;
  readonly size: number;
  readonly mtime_ns: string;
  readonly ctime_ns: string;
  readonly inode: string;
  readonly sha256: string | null;
  readonly sha1: string | null;
  readonly sample: string | null;
  readonly upload_mode: string | null;
  readonly remote_oid: string | null;
  readonly commit_id: number | null;
  readonly attempts: number;
  readonly next_attempt_at: number | null;
  readonly last_error_code: string | null;
  readonly last_error_message: string | null;
  readonly hash_count: number;
  readonly updated_at: number;
}

/** The columns every file query selects, in FileRow's shape. */
export const FILE_COLUMNS =
  "id, job_id, path, state, size, mtime_ns, ctime_ns, inode, sha256, sha1, sample, upload_mode, " +
  "remote_oid, commit_id, attempts, next_attempt_at, last_error_code, last_error_message, hash_count, updated_at";

/** Maps a row to the public record; the CHECK constraints guarantee the enum columns' values. */
export function fileFromRow(row: FileRow): FileRecord {
  return {
    id: row.id,
    jobId: row.job_id,
    path: row.path,
    state: row.state as FileState,
    size: row.size,
    mtimeNs: row.mtime_ns,
    ctimeNs: row.ctime_ns,
    inode: row.inode,
    sha256: row.sha256,
    sha1: row.sha1,
    sample: row.sample,
    uploadMode: row.upload_mode as UploadMode | null,
    remoteOid: row.remote_oid,
    commitId: row.commit_id,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastError:
      row.last_error_code === null
        ? null
        : { code: row.last_error_code, message: row.last_error_message ?? "" },
    hashCount: row.hash_count,
    updatedAt: row.updated_at,
  };
}
