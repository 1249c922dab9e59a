import Database from "better-sqlite3";
import t from "tap";
import { HubpushError } from "../../common/hubpush-error.js";
import { classifySqliteError } from "../../storage/classify-sqlite-error.js";

const PATH = "/state/journal.db";

function errno(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: failed`), { code });
}

t.test("SQLite result codes, extended ones included, map to journal error codes", async (t) => {
  const cases: [string, string, boolean][] = [
    ["SQLITE_NOTADB", "ERR_JOURNAL_CORRUPT", false],
    ["SQLITE_CORRUPT_INDEX", "ERR_JOURNAL_CORRUPT", false],
    ["SQLITE_READONLY_DBMOVED", "ERR_JOURNAL_READONLY", false],
    ["SQLITE_CANTOPEN", "ERR_JOURNAL_OPEN", false],
    ["SQLITE_FULL", "ERR_JOURNAL_FULL", true],
    ["SQLITE_BUSY_SNAPSHOT", "ERR_JOURNAL_BUSY", true],
    ["SQLITE_LOCKED", "ERR_JOURNAL_BUSY", true],
    ["SQLITE_IOERR_WRITE", "ERR_JOURNAL_IO", false],
    ["SQLITE_CONSTRAINT_FOREIGNKEY", "ERR_INTERNAL", false],
  ];
  for (const [sqliteCode, code, retryable] of cases) {
    const cause = new Database.SqliteError("it failed", sqliteCode);
    const err = classifySqliteError(cause, PATH);
    t.match(err, { code, retryable, cause, details: { path: PATH, sourceCode: sqliteCode } }, sqliteCode);
    t.match(err.message, PATH, `${sqliteCode}: the message names the journal`);
  }
});

t.test("errno codes from preparing the folder map too; other errors become ERR_INTERNAL", async (t) => {
  t.equal(classifySqliteError(errno("EACCES"), PATH).code, "ERR_JOURNAL_OPEN");
  t.equal(classifySqliteError(errno("ENOTDIR"), PATH).code, "ERR_JOURNAL_OPEN");
  t.equal(classifySqliteError(errno("EROFS"), PATH).code, "ERR_JOURNAL_READONLY");
  t.equal(classifySqliteError(errno("ENOSPC"), PATH).code, "ERR_JOURNAL_FULL");
  t.equal(
    classifySqliteError(new TypeError("The database connection is not open"), PATH).code,
    "ERR_INTERNAL",
  );
  t.equal(classifySqliteError("a string", PATH).code, "ERR_INTERNAL");
  const own = new HubpushError("ERR_JOB_NOT_FOUND", "no job");
  t.equal(classifySqliteError(own, PATH), own, "HubpushErrors pass through unchanged");
});
