import { join } from "node:path";
import Database from "better-sqlite3";
import t from "tap";
import { HubpushError } from "../../common/hubpush-error.js";
import { loadMigrations } from "../../storage/load-migrations.js";
import { openJournal } from "../../storage/sqlite-journal.js";
import { OPTIONS, specFor } from "./contract/contract-helpers.js";

// jobs.kind: one-file jobs next to folder jobs in a real SQLite journal. The migration that adds
// the column is found by name, never by number (the numbers are renumbered when branches merge).
const KIND_MIGRATION = loadMigrations().find((m) => m.name.endsWith("-single-file.sql"));

t.test("a file job is stored as kind file; the folder holding it is another job", async (t) => {
  const journal = openJournal(join(t.testdir(), "journal.sqlite"));
  t.teardown(() => journal.close());
  const folder = journal.jobs.upsert({ ...specFor("/data"), pathInRepo: "" }, OPTIONS);
  const file = journal.jobs.upsert(
    { ...specFor("/data/model.bin"), pathInRepo: "model.bin", kind: "file" },
    OPTIONS,
  );
  t.equal(folder.job.kind, "folder", "kind defaults to folder");
  t.equal(file.job.kind, "file");
  t.not(file.job.id, folder.job.id);
  const again = journal.jobs.upsert(
    { ...specFor("/data/model.bin"), pathInRepo: "model.bin", kind: "file" },
    OPTIONS,
  );
  t.same([again.created, again.job.id, again.job.kind], [false, file.job.id, "file"], "found again");
  t.equal(journal.jobs.get(file.job.id)?.kind, "file", "read back as a file job");
});

t.test("the same identity with the other kind is refused and changes nothing", async (t) => {
  const journal = openJournal(join(t.testdir(), "journal.sqlite"));
  t.teardown(() => journal.close());
  const spec = { ...specFor("/data/x"), pathInRepo: "x" };
  const { job } = journal.jobs.upsert(spec, OPTIONS);
  const err = (() => {
    try {
      journal.jobs.upsert({ ...spec, kind: "file" }, { ...OPTIONS, message: "changed" });
      return null;
    } catch (e) {
      return e;
    }
  })();
  t.ok(err instanceof HubpushError);
  t.equal((err as HubpushError).code, "ERR_JOB_KIND_CONFLICT");
  t.match((err as HubpushError).message, `job ${job.id} uploads /data/x as a folder, but it is now a file`);
  t.same(
    journal.jobs.list().map((j) => [j.id, j.kind, j.options.message]),
    [[job.id, "folder", OPTIONS.message]],
    "the job and its options are unchanged",
  );
});

t.test("a journal from before the migration is upgraded: its jobs are folder jobs", async (t) => {
  if (KIND_MIGRATION === undefined) throw new Error("the single-file migration is missing");
  const path = join(t.testdir(), "journal.sqlite");
  const before = loadMigrations().filter((m) => m.version < KIND_MIGRATION.version);
  const old = new Database(path);
  for (const m of before) old.exec(m.sql);
  old.pragma(`user_version = ${before.length}`);
  old
    .prepare(
      "INSERT INTO jobs (folder, endpoint, repo_type, repo_id, revision, path_in_repo, options, created_at, updated_at) " +
        "VALUES ('/old', 'http://hub', 'model', 'user/old', 'main', '', '{}', 1, 1)",
    )
    .run();
  old.close();
  const journal = openJournal(path);
  t.teardown(() => journal.close());
  t.same(
    journal.jobs.list().map((j) => [j.folder, j.kind]),
    [["/old", "folder"]],
  );
});
