import { execFile } from "node:child_process";
import {
  chmodSync,
  closeSync,
  existsSync,
  openSync,
  readFileSync,
  statSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import Database from "better-sqlite3";
import t from "tap";
import { loadMigrations } from "../../storage/load-migrations.js";
import { migrate } from "../../storage/migrate.js";
import { openJournal } from "../../storage/sqlite-journal.js";
import { whyNobodyCannotRunSources } from "../helpers/as-nobody.js";
import { fileAt, OPTIONS, specFor } from "./contract/contract-helpers.js";

const LATEST = loadMigrations().length;
const OPEN_SCRIPT = fileURLToPath(new URL("./fixtures/open-journal-process.ts", import.meta.url));
const NOBODY = 65534;
const asRoot = process.getuid?.() === 0;

/** The path as a regular-expression source (test folder names may hold any character). */
function re(path: string): string {
  return path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function userVersion(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return Number(db.pragma("user_version", { simple: true }));
  } finally {
    db.close();
  }
}

/** A journal with one job and a few files, closed. */
function makeJournal(path: string): void {
  const journal = openJournal(path);
  const { job } = journal.jobs.upsert(specFor("/data"), OPTIONS);
  journal.scan.upsertFiles(job.id, journal.scan.begin(job.id), [fileAt("a", 1), fileAt("b", 2)]);
  journal.close();
}

t.test("an empty journal is migrated to the latest version, in a 0700 folder, as a 0600 file", async (t) => {
  const path = join(t.testdir(), "deep", "state", "journal.db");
  const journal = openJournal(path);
  t.equal(journal.path, path);
  journal.close();
  t.ok(LATEST >= 1);
  t.equal(userVersion(path), LATEST);
  t.equal(statSync(join(path, "..")).mode & 0o777, 0o700);
  t.equal(statSync(path).mode & 0o777, 0o600);
  const db = new Database(path, { readonly: true });
  t.teardown(() => db.close());
  const tables = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    .pluck()
    .all() as string[];
  t.same(
    tables.filter((name) => !name.startsWith("sqlite_")),
    [
      "commits",
      "events",
      "files",
      "job_counts",
      "jobs",
      "lfs_parts",
      "lfs_uploads",
      "remote_deletions",
      "throughput_samples",
      "xet_chunk_index",
      "xet_files",
      "xet_job_stats",
      "xet_xorbs",
    ],
  );
  t.equal(db.pragma("journal_mode", { simple: true }), "wal", "WAL mode persists in the file");
});

t.test("a schema-1 journal is upgraded in place: its jobs and files are kept", async (t) => {
  const path = join(t.testdir(), "journal.sqlite");
  const [first] = loadMigrations();
  if (first === undefined) throw new Error("no migrations");
  const old = new Database(path);
  old.exec(first.sql);
  old.pragma("user_version = 1");
  old.close();
  const v1 = openJournal(path);
  t.teardown(() => v1.close());
  t.equal(userVersion(path), LATEST, "migrated to the latest version");
  const { job } = v1.jobs.upsert(specFor("/data"), OPTIONS);
  const generation = v1.scan.begin(job.id);
  v1.scan.upsertFiles(job.id, generation, [fileAt("a.txt", 1)]);
  t.same(v1.scan.finish(job.id, generation, { mirrorDeletions: true }), { vanished: 0, deletionsQueued: 0 });
  t.same(v1.deletions.counts(job.id), { pending: 0, committing: 0, deleted: 0 }, "the new table is usable");
});

t.test("reopening is a no-op: same version, data kept, migrations not applied again", async (t) => {
  const path = join(t.testdir(), "journal.db");
  makeJournal(path);
  const journal = openJournal(path);
  t.teardown(() => journal.close());
  t.equal(userVersion(path), LATEST);
  t.equal(journal.jobs.list().length, 1);
  const jobId = journal.jobs.list()[0]?.id ?? 0;
  t.same(
    journal.files.list(jobId).map((f) => f.path),
    ["a", "b"],
  );
  const db = new Database(path);
  t.teardown(() => db.close());
  t.same(migrate(db, path, loadMigrations()), { from: LATEST, to: LATEST });
});

t.test("a journal from the future is refused and left untouched", async (t) => {
  const path = join(t.testdir(), "journal.db");
  makeJournal(path);
  const raw = new Database(path);
  raw.pragma("user_version = 999");
  raw.close();
  const before = readFileSync(path);
  t.throws(() => openJournal(path), {
    code: "ERR_JOURNAL_FROM_FUTURE",
    message: new RegExp(`${re(path)}.*999.*${LATEST}.*Upgrade hubpush.*HUBPUSH_HOME`),
  });
  t.ok(readFileSync(path).equals(before), "the file's bytes did not change");
  t.equal(userVersion(path), 999);
});

t.test("a damaged journal gives ERR_JOURNAL_CORRUPT naming the file", async (t) => {
  const dir = t.testdir();
  const random = join(dir, "random.db");
  writeFileSync(random, Buffer.from(Array.from({ length: 8192 }, (_, i) => (i * 7919 + 13) % 251)));
  t.throws(() => openJournal(random), {
    code: "ERR_JOURNAL_CORRUPT",
    message: new RegExp(`${re(random)}.*damaged.*aside`),
  });

  const header = join(dir, "header.db");
  makeJournal(header);
  const fd = openSync(header, "r+");
  writeSync(fd, Buffer.from("this is not SQLite at all"), 0, 25, 0);
  closeSync(fd);
  t.throws(() => openJournal(header), { code: "ERR_JOURNAL_CORRUPT", message: new RegExp(re(header)) });
});

t.test("a journal whose folder cannot be created gives ERR_JOURNAL_OPEN naming the path", async (t) => {
  const dir = t.testdir({ "a-file": "not a folder" });
  const path = join(dir, "a-file", "journal.db");
  t.throws(() => openJournal(path), {
    code: "ERR_JOURNAL_OPEN",
    message: new RegExp(`${re(path)}.*permissions.*HUBPUSH_HOME`),
  });
});

interface OpenOutcome {
  ok: boolean;
  code?: string;
  message?: string;
}

/** Opens in a child process, as `nobody` when we are root (root ignores permission bits). */
async function openElsewhere(path: string): Promise<OpenOutcome> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ["--import", "tsx", OPEN_SCRIPT, path],
    asRoot ? { uid: NOBODY, gid: NOBODY, env: { ...process.env, HOME: "/tmp" } } : {},
  );
  return JSON.parse(stdout) as OpenOutcome;
}

t.test("read-only folder and read-only journal give stable codes naming the path", async (t) => {
  const why = asRoot ? await whyNobodyCannotRunSources() : null;
  if (why !== null) {
    t.pass("permission case", { skip: `running as root and ${why}: permission bits cannot be tested` });
    return;
  }
  const dir = t.testdir({ locked: {}, shared: {} });
  const locked = join(dir, "locked");
  // As root the child runs as nobody, for whom a root-owned 0755 folder is read-only.
  chmodSync(locked, asRoot ? 0o755 : 0o500);
  const inLocked = join(locked, "journal.db");
  t.match(await openElsewhere(inLocked), {
    ok: false,
    code: "ERR_JOURNAL_OPEN",
    message: new RegExp(re(inLocked)),
  });
  chmodSync(locked, 0o700);

  const shared = join(dir, "shared");
  const readonly = join(shared, "journal.db");
  makeJournal(readonly);
  chmodSync(readonly, 0o444);
  chmodSync(shared, 0o777);
  t.match(await openElsewhere(readonly), {
    ok: false,
    code: "ERR_JOURNAL_READONLY",
    message: new RegExp(`${re(readonly)}.*cannot be written.*permissions`),
  });
});

t.test(
  "a full disk gives ERR_JOURNAL_FULL; the batch is all-or-nothing and the file stays sound",
  async (t) => {
    const path = join(t.testdir(), "journal.db");
    makeJournal(path);
    // The cap cannot go below the current size, so 1 means "no growth at all".
    const journal = openJournal(path, { maxPageCount: 1 });
    const jobId = journal.jobs.list()[0]?.id ?? 0;
    const generation = journal.scan.begin(jobId);
    const batch = Array.from({ length: 2000 }, (_, i) => fileAt(`big/${"x".repeat(100)}/${i}`, i));
    t.throws(() => journal.scan.upsertFiles(jobId, generation, batch), {
      code: "ERR_JOURNAL_FULL",
      retryable: true,
      message: new RegExp(`${re(path)}.*Free some disk space.*nothing was lost`),
    });
    t.equal(journal.files.list(jobId).length, 2, "nothing of the failed batch was kept");
    journal.close();
    const reopened = openJournal(path);
    t.teardown(() => reopened.close());
    t.same(reopened.integrityCheck(), ["ok"]);
    t.equal(
      reopened.scan.upsertFiles(jobId, generation, batch).added,
      2000,
      "works again once there is room",
    );
    t.equal(reopened.jobs.counts(jobId).total.files, 2002);
  },
);

t.test("a write lock held too long gives ERR_JOURNAL_BUSY (retryable)", async (t) => {
  const path = join(t.testdir(), "journal.db");
  makeJournal(path);
  const holder = new Database(path);
  t.teardown(() => holder.close());
  const journal = openJournal(path, { busyTimeoutMs: 20 });
  t.teardown(() => journal.close());
  holder.prepare("BEGIN IMMEDIATE").run();
  const jobId = journal.jobs.list()[0]?.id ?? 0;
  t.throws(() => journal.files.claim({ jobId, state: "scanned", limit: 1, leaseId: "w", leaseMs: 1000 }), {
    code: "ERR_JOURNAL_BUSY",
    retryable: true,
  });
  holder.prepare("ROLLBACK").run();
  t.equal(journal.files.claim({ jobId, state: "scanned", limit: 1, leaseId: "w", leaseMs: 1000 }).length, 1);
});

t.test("a closed journal throws HubpushErrors, and close is idempotent", async (t) => {
  const path = join(t.testdir(), "journal.db");
  const journal = openJournal(path);
  journal.close();
  journal.close();
  t.throws(() => journal.jobs.list(), { name: "HubpushError", code: "ERR_INTERNAL" });
  t.ok(existsSync(path));
});
