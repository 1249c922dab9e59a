import Database from "better-sqlite3";
import type { ErrorCode } from "../common/error-codes.js";
import { HubpushError } from "../common/hubpush-error.js";

/** SQLite primary result codes (extended codes such as SQLITE_BUSY_SNAPSHOT fold into these). */
const SQLITE_CODES: Readonly<Record<string, ErrorCode>> = {
  SQLITE_NOTADB: "ERR_JOURNAL_CORRUPT",
  SQLITE_CORRUPT: "ERR_JOURNAL_CORRUPT",
  SQLITE_READONLY: "ERR_JOURNAL_READONLY",
  SQLITE_CANTOPEN: "ERR_JOURNAL_OPEN",
  SQLITE_PERM: "ERR_JOURNAL_OPEN",
  SQLITE_AUTH: "ERR_JOURNAL_OPEN",
  SQLITE_FULL: "ERR_JOURNAL_FULL",
  SQLITE_BUSY: "ERR_JOURNAL_BUSY",
  SQLITE_LOCKED: "ERR_JOURNAL_BUSY",
  SQLITE_IOERR: "ERR_JOURNAL_IO",
};

/** errno codes from preparing the journal's folder and file (node:fs). */
const ERRNO_CODES: Readonly<Record<string, ErrorCode>> = {
  EACCES: "ERR_JOURNAL_OPEN",
  EPERM: "ERR_JOURNAL_OPEN",
  ENOTDIR: "ERR_JOURNAL_OPEN",
  // mkdir -p says EEXIST when a component of the folder path is a regular file.
  EEXIST: "ERR_JOURNAL_OPEN",
  EISDIR: "ERR_JOURNAL_OPEN",
  ENOENT: "ERR_JOURNAL_OPEN",
  ELOOP: "ERR_JOURNAL_OPEN",
  ENAMETOOLONG: "ERR_JOURNAL_OPEN",
  EROFS: "ERR_JOURNAL_READONLY",
  ENOSPC: "ERR_JOURNAL_FULL",
  EDQUOT: "ERR_JOURNAL_FULL",
  EIO: "ERR_JOURNAL_IO",
};

function advice(code: ErrorCode, path: string, reason: string): string {
  switch (code) {
    case "ERR_JOURNAL_CORRUPT":
      return (
        `The journal ${path} is damaged (${reason}). Stop hubpush, move the file aside (or restore a ` +
        "backup) and start again: files already uploaded are re-verified against the Hub, not sent twice."
      );
    case "ERR_JOURNAL_READONLY":
      return (
        `The journal ${path} cannot be written (${reason}). Fix the permissions of the file and its ` +
        "folder, or set HUBPUSH_HOME to a writable folder."
      );
    case "ERR_JOURNAL_OPEN":
      return (
        `The journal ${path} cannot be opened (${reason}). Check that its folder is a directory this ` +
        "user can write to (fix the permissions), or set HUBPUSH_HOME to another folder."
      );
    case "ERR_JOURNAL_FULL":
      return (
        `The disk holding the journal ${path} is full (${reason}). Free some disk space and try again; ` +
        "nothing was lost: the last step will be redone."
      );
    case "ERR_JOURNAL_BUSY":
      return (
        `The journal ${path} stayed locked by another process (${reason}). Stop the other hubpush ` +
        "process that uses it (is a daemon running with the same HUBPUSH_HOME?) or try again."
      );
    case "ERR_JOURNAL_IO":
      return (
        `A disk error occurred on the journal ${path} (${reason}). Check the disk and try again; if it ` +
        "persists, move the journal aside: uploads are re-verified against the Hub."
      );
    default:
      return `Unexpected journal error on ${path}: ${reason}.`;
  }
}

function primarySqliteCode(code: string): string {
  const [prefix, name] = code.split("_");
  return `${prefix}_${name}`;
}

/**
 * Classifies anything thrown while using the journal at `path` into a HubpushError: SQLite result
 * codes and fs errno codes map to ERR_JOURNAL_*, HubpushErrors pass through, the rest (constraint
 * violations, misuse: bugs) become ERR_INTERNAL. The original error is kept as `cause`.
 */
export function classifySqliteError(err: unknown, path: string): HubpushError {
  if (err instanceof HubpushError) return err;
  const reason = err instanceof Error ? err.message : String(err);
  let code: ErrorCode = "ERR_INTERNAL";
  let sourceCode: string | undefined;
  if (err instanceof Database.SqliteError) {
    sourceCode = err.code;
    code = SQLITE_CODES[primarySqliteCode(err.code)] ?? "ERR_INTERNAL";
  } else if (err instanceof Error && typeof (err as NodeJS.ErrnoException).code === "string") {
    sourceCode = (err as NodeJS.ErrnoException).code;
    code = (sourceCode !== undefined ? ERRNO_CODES[sourceCode] : undefined) ?? "ERR_INTERNAL";
  }
  return new HubpushError(code, advice(code, path, reason), {
    retryable: code === "ERR_JOURNAL_BUSY" || code === "ERR_JOURNAL_FULL",
    details: { path, ...(sourceCode === undefined ? {} : { sourceCode }) },
    cause: err,
  });
}
