import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import t from "tap";
import { resolveStatePaths } from "../../daemon/state-paths.js";
import { openJournal } from "../../storage/sqlite-journal.js";
import { OPTIONS, specFor } from "./contract/contract-helpers.js";

const DOC = new URL("../../docs/journal.md", import.meta.url);
const hasSqlite3 = spawnSync("sqlite3", ["-version"]).status === 0;

/** The backup one-liner of docs/journal.md, exactly as documented. */
function documentedBackupCommand(): string {
  const line = readFileSync(DOC, "utf8")
    .split("\n")
    .find((l) => l.includes("While the daemon runs:"));
  const command = line === undefined ? undefined : /`(sqlite3 [^`]+)`/.exec(line)?.[1];
  if (command === undefined) throw new Error("docs/journal.md lost its backup command");
  return command;
}

t.test(
  "the documented backup command, run while the journal is open, copies a journal with the job in it",
  { skip: hasSqlite3 ? false : "the sqlite3 command-line tool is not installed" },
  async (t) => {
    const home = mkdtempSync(path.join(tmpdir(), "hubpush-backup-"));
    t.teardown(() => rmSync(home, { recursive: true, force: true }));
    const paths = resolveStatePaths({ HUBPUSH_HOME: home });
    const command = documentedBackupCommand();
    t.match(command, path.basename(paths.journal), "the command names the journal file the daemon uses");
    // The journal stays open (as under a running daemon): the job may still live only in the WAL.
    const journal = openJournal(paths.journal);
    t.teardown(() => journal.close());
    const { job } = journal.jobs.upsert(specFor("/data/models"), OPTIONS);
    const backup = path.join(home, "backup.db");
    execFileSync("sh", ["-c", command.replace("/path/to/backup.db", backup)], {
      env: { ...process.env, HUBPUSH_HOME: home },
    });
    t.ok(existsSync(backup), "the backup file exists");
    const copy = openJournal(backup);
    t.teardown(() => copy.close());
    t.equal(copy.jobs.get(job.id)?.folder, "/data/models", "the backup holds the job");
  },
);
