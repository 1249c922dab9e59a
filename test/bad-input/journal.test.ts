import { readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import t from "tap";
import { createEngine } from "../../core/create-engine.js";
import { parseJobInput } from "../../core/job-input.js";
import { silentLogger } from "../../core/logger.js";
import { openJournal } from "../../storage/sqlite-journal.js";
import { FAST_TUNING } from "../helpers/engine-harness.js";
import { writeTree } from "../helpers/folder-tree.js";
import { runCli } from "../helpers/run-cli.js";
import { startUploadEnv, WRITE } from "./upload-env.js";

// The journal: full, damaged or from a newer hubpush, it is refused with exit 6 (or the job blocks)
// and left as it was; once the cause is gone the work goes on, and nothing is sent twice.
const u = await startUploadEnv();
t.teardown(() => u.close());

t.test(
  "a full disk under the journal: blocked with ERR_JOURNAL_FULL, the journal sound, retry finishes",
  async (t) => {
    const folder = u.folder("full");
    const files: Record<string, string> = {};
    for (let i = 0; i < 1000; i++) files[`d${i % 10}/a-file-with-a-longer-name-${i}.txt`] = `file ${i}`;
    writeTree(folder, files);
    const journalPath = path.join(u.root, "full-state", "journal.sqlite");
    openJournal(journalPath).close();
    const fresh = new Database(journalPath, { readonly: true });
    const pages = Number(fresh.pragma("page_count", { simple: true }));
    fresh.close();
    const run = (maxPageCount?: number) => {
      const journal = openJournal(journalPath, maxPageCount === undefined ? {} : { maxPageCount });
      const engine = createEngine({
        journal,
        tokenFor: async () => WRITE,
        logger: silentLogger,
        settings: { hashWorkers: 2 },
        tuning: { ...FAST_TUNING, scanBatch: 200 },
      });
      engine.start();
      return { journal, engine };
    };
    // SQLite's max_page_count stands in for the disk: 10 pages (40 KiB) of room, too few for the scan.
    const full = run(pages + 10);
    const { spec, options } = parseJobInput(
      { folder, repo: "user/full", endpoint: u.emulator.url },
      { endpoint: u.emulator.url, cwd: u.root },
    );
    const job = full.engine.addJob(spec, options);
    const blocked = await full.engine.whenSettled(job.id);
    t.equal(blocked.state, "blocked");
    t.equal(blocked.blocked?.code, "ERR_JOURNAL_FULL");
    t.match(blocked.blocked?.message, `The disk holding the journal ${journalPath} is full`);
    t.match(blocked.blocked?.message, "Free some disk space and try again; nothing was lost");
    t.notMatch(blocked.blocked?.message, /^internal error/, "not presented as a bug");
    const before = full.journal.jobs.counts(job.id).total.files;
    await full.engine.stop(2_000);
    full.journal.close();

    const roomy = run();
    t.teardown(async () => {
      await roomy.engine.stop(2_000);
      roomy.journal.close();
    });
    t.same(roomy.journal.integrityCheck(), ["ok"], "the journal is sound");
    t.equal(roomy.journal.jobs.counts(job.id).total.files, before, "what was recorded is still there");
    roomy.engine.retry(job.id);
    t.equal(
      (await roomy.engine.whenSettled(job.id)).state,
      "done",
      "with room again, retry finishes the job",
    );
    t.equal(roomy.journal.jobs.counts(job.id).byState.committed.files, 1000);
    t.equal((await u.remotePaths("user/full")).length, 1000, "every file is on the Hub");
  },
);

t.test("a corrupt journal: exit 6 saying to move it aside; once moved, nothing is sent twice", async (t) => {
  const folder = u.folder("corrupt");
  writeTree(folder, { "a.txt": "a", "b.txt": "b" });
  const home = path.join(u.root, "corrupt-home");
  const env = u.env({ HF_TOKEN: WRITE }, home);
  t.equal((await u.upload(folder, "user/corrupt", env)).code, 0);
  const commits = await u.commits("user/corrupt");
  const journal = path.join(home, "journal.sqlite");
  const damaged = Buffer.alloc(64 * 1024, 0x5a);
  writeFileSync(journal, damaged);
  const result = await u.upload(folder, "user/corrupt", env);
  t.equal(result.code, 6, result.stderr);
  t.match(result.stderr, `The journal ${journal} is damaged`);
  t.match(result.stderr, "move the file aside (or restore a backup) and start again");
  t.match(result.stderr, /\(ERR_JOURNAL_CORRUPT\)\n$/);
  t.ok(readFileSync(journal).equals(damaged), "the damaged file is left for inspection");
  const daemon = await runCli(["daemon", "start"], { env });
  t.equal(daemon.code, 6, "the daemon does not start on it either, with the journal's exit code");
  t.match(daemon.stderr, /the daemon exited with code 6: The journal .* is damaged/);
  t.match(daemon.stderr, "(ERR_JOURNAL_CORRUPT)");
  renameSync(journal, `${journal}.broken`);
  const again = await u.upload(folder, "user/corrupt", env);
  t.equal(again.code, 0, again.stderr);
  t.match(again.stdout, "skipped 2 (already on the Hub)");
  t.equal(await u.commits("user/corrupt"), commits, "no commit: the Hub's oids showed both were there");
});

t.test(
  "a journal from a newer hubpush: exit 6, left byte for byte; its jobs are all still in it",
  async (t) => {
    const folder = u.folder("future");
    writeTree(folder, { "a.txt": "a" });
    const home = path.join(u.root, "future-home");
    const env = u.env({ HF_TOKEN: WRITE }, home);
    t.equal((await u.upload(folder, "user/future", env)).code, 0);
    const journal = path.join(home, "journal.sqlite");
    const setVersion = (v: number): number => {
      const db = new Database(journal);
      const current = Number(db.pragma("user_version", { simple: true }));
      db.pragma(`user_version = ${v}`);
      db.close();
      return current;
    };
    const version = setVersion(999);
    const bytes = readFileSync(journal);
    const result = await u.upload(folder, "user/future", env);
    t.equal(result.code, 6, result.stderr);
    t.match(result.stderr, /has schema version 999, but this hubpush knows versions up to \d+/);
    t.match(result.stderr, "Upgrade hubpush, or set HUBPUSH_HOME to another folder");
    t.match(result.stderr, /\(ERR_JOURNAL_FROM_FUTURE\)\n$/);
    t.ok(readFileSync(journal).equals(bytes), "not migrated, not touched");
    setVersion(version);
    const back = await u.upload(folder, "user/future", env, "--json");
    t.equal(back.code, 0, back.stderr);
    t.match(JSON.parse(back.stdout), { id: 1, state: "done" }, "job 1 is still there, done");
  },
);
