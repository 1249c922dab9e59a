import { chmodSync, mkdirSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import t from "tap";
import { scanFolder } from "../../../core/scan/scan-folder.js";
import type { Journal, ScannedFile } from "../../../storage/journal.js";
import { openJournal } from "../../../storage/sqlite-journal.js";
import { OPTIONS, specFor, type TapTest } from "../../storage/contract/contract-helpers.js";

/**
 * What the restart's fast compare (the covering index files_scan, states asked for only when a
 * stat differs or a row may be vanished) could miss: changes that keep size and mtime, a folder
 * and a file trading places, rows a stage marked vanished, a path twice in one batch.
 */

async function scan(journal: Journal, jobId: number, folder: string) {
  const generation = journal.scan.begin(jobId);
  const totals = { added: 0, changed: 0, unchanged: 0 };
  let batch: ScannedFile[] = [];
  const flush = () => {
    const r = journal.scan.upsertFiles(jobId, generation, batch);
    totals.added += r.added;
    totals.changed += r.changed;
    totals.unchanged += r.unchanged;
    batch = [];
  };
  for await (const entry of scanFolder(folder)) {
    if (entry.kind !== "file") continue;
    batch.push(entry.file);
    if (batch.length >= 50) flush();
  }
  flush();
  return { ...totals, ...journal.scan.finish(jobId, generation) };
}

function setState(dbPath: string, sql: string, ...params: unknown[]): void {
  const raw = new Database(dbPath);
  raw.prepare(sql).run(...params);
  raw.close();
}

const FIXED_TIME = 1_700_000_000;

async function committedFolder(t: TapTest, files: Record<string, string>) {
  const root = t.testdir();
  const folder = path.join(root, "data");
  const dbPath = path.join(root, "journal.sqlite");
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(folder, rel)), { recursive: true });
    writeFileSync(path.join(folder, rel), content);
    // Whole seconds: a test can give another file exactly this mtime (utimes takes a double).
    utimesSync(path.join(folder, rel), FIXED_TIME, FIXED_TIME);
  }
  const journal = openJournal(dbPath);
  t.teardown(() => journal.close());
  const jobId = journal.jobs.upsert(specFor(folder), OPTIONS).job.id;
  await scan(journal, jobId, folder);
  setState(dbPath, "UPDATE files SET state = 'committed'");
  return { folder, dbPath, journal, jobId };
}

const stateOf = (journal: Journal, jobId: number, p: string) => journal.files.find(jobId, p)?.state;

t.test("a file rewritten with the same size and mtime but a new inode is found", async (t) => {
  const h = await committedFolder(t, { "a/same.bin": "AAAA", "a/other.bin": "BBBB" });
  const target = path.join(h.folder, "a/same.bin");
  const before = statSync(target, { bigint: true });
  // An editor's save: a new file renamed over the old one, its mtime set back (rsync -t does this).
  const tmp = path.join(h.folder, "a/.same.tmp");
  writeFileSync(tmp, "CCCC");
  utimesSync(tmp, FIXED_TIME, FIXED_TIME);
  renameSync(tmp, target);
  const after = statSync(target, { bigint: true });
  t.equal(after.size, before.size, "same size");
  t.equal(after.mtimeNs, before.mtimeNs, "same mtime");
  t.not(after.ino, before.ino, "a new inode");
  const r = await scan(h.journal, h.jobId, h.folder);
  t.match(r, { added: 0, changed: 1, unchanged: 1, vanished: 0 });
  t.equal(stateOf(h.journal, h.jobId, "a/same.bin"), "scanned", "uploaded again");
  t.equal(stateOf(h.journal, h.jobId, "a/other.bin"), "committed");
});

t.test("a file whose ctime alone moved (chmod) is looked at again", async (t) => {
  const h = await committedFolder(t, { "x.txt": "x", "y.txt": "y" });
  const target = path.join(h.folder, "x.txt");
  const before = statSync(target, { bigint: true });
  // ctime has a clock tick's resolution: wait until a chmod surely moves it.
  await new Promise((resolve) => setTimeout(resolve, 20));
  chmodSync(target, 0o600);
  const after = statSync(target, { bigint: true });
  t.equal(after.mtimeNs, before.mtimeNs, "same mtime");
  t.ok(after.ctimeNs > before.ctimeNs, "a newer ctime");
  const r = await scan(h.journal, h.jobId, h.folder);
  t.match(r, { added: 0, changed: 1, unchanged: 1 });
  t.equal(stateOf(h.journal, h.jobId, "x.txt"), "scanned");
});

t.test("a folder replaced by a file of its name, and a file by a folder", async (t) => {
  const h = await committedFolder(t, {
    "d/one.txt": "1",
    "d/two.txt": "2",
    f: "was a file",
    "keep.txt": "k",
  });
  rmSync(path.join(h.folder, "d"), { recursive: true });
  writeFileSync(path.join(h.folder, "d"), "now a file");
  rmSync(path.join(h.folder, "f"));
  mkdirSync(path.join(h.folder, "f"));
  writeFileSync(path.join(h.folder, "f/inside.txt"), "in");
  const r = await scan(h.journal, h.jobId, h.folder);
  t.same(r, { added: 2, changed: 0, unchanged: 1, vanished: 0, deletionsQueued: 0 });
  t.equal(stateOf(h.journal, h.jobId, "d"), "scanned");
  t.equal(stateOf(h.journal, h.jobId, "f/inside.txt"), "scanned");
  // Committed files that went away stay committed without --delete (the Hub keeps them).
  t.equal(stateOf(h.journal, h.jobId, "d/one.txt"), "committed");
  t.equal(stateOf(h.journal, h.jobId, "f"), "committed");
  // Not yet committed ones vanish.
  setState(h.dbPath, "UPDATE files SET state = 'hashed' WHERE path IN ('d/one.txt', 'd/two.txt', 'f')");
  const again = await scan(h.journal, h.jobId, h.folder);
  t.match(again, { added: 0, changed: 0, vanished: 3 });
  t.equal(stateOf(h.journal, h.jobId, "d/two.txt"), "vanished");
});

t.test(
  "a row a stage marked vanished comes back when the scan sees the file, unchanged or not",
  async (t) => {
    const h = await committedFolder(t, { "p/a.txt": "a", "p/b.txt": "b", "p/c.txt": "c" });
    setState(h.dbPath, "UPDATE files SET state = 'vanished' WHERE path IN ('p/a.txt', 'p/b.txt')");
    const r = await scan(h.journal, h.jobId, h.folder);
    t.match(r, { added: 0, changed: 2, unchanged: 1 });
    t.equal(stateOf(h.journal, h.jobId, "p/a.txt"), "scanned");
    t.equal(stateOf(h.journal, h.jobId, "p/b.txt"), "scanned");
    t.equal(stateOf(h.journal, h.jobId, "p/c.txt"), "committed");
  },
);

t.test(
  "with more vanished rows than the scan keeps in a set, a vanished file still comes back",
  async (t) => {
    const h = await committedFolder(t, { "q/a.txt": "a", "q/b.txt": "b" });
    // 10,001 vanished rows of files long gone: past the set's limit, states are asked row by row.
    const raw = new Database(h.dbPath);
    const insert = raw.prepare(
      "INSERT INTO files (job_id, path, state, size, mtime_ns, ctime_ns, inode, seen_generation, updated_at) " +
        "VALUES (?, ?, 'vanished', 1, '1', '1', '1', 0, 0)",
    );
    raw.transaction(() => {
      for (let i = 0; i <= 10_000; i++) insert.run(h.jobId, `gone/${i}`);
    })();
    raw.prepare("UPDATE files SET state = 'vanished' WHERE path = 'q/a.txt'").run();
    raw.close();
    const r = await scan(h.journal, h.jobId, h.folder);
    t.match(r, { added: 0, changed: 1, unchanged: 1, vanished: 0 });
    t.equal(stateOf(h.journal, h.jobId, "q/a.txt"), "scanned");
    t.equal(stateOf(h.journal, h.jobId, "q/b.txt"), "committed");
  },
);

t.test(
  "a committing file keeps its state whatever its stat; a path twice in a batch sees the first look",
  async (t) => {
    const h = await committedFolder(t, { "m.txt": "m", "n.txt": "n" });
    setState(h.dbPath, "UPDATE files SET state = 'committing' WHERE path = 'm.txt'");
    writeFileSync(path.join(h.folder, "m.txt"), "changed while its commit is in flight");
    const r = await scan(h.journal, h.jobId, h.folder);
    t.match(r, { changed: 0, unchanged: 2 });
    t.equal(stateOf(h.journal, h.jobId, "m.txt"), "committing");

    const g = h.journal.scan.begin(h.jobId);
    const stat = (size: number, ctime: string): ScannedFile => ({
      path: "twice.txt",
      size,
      mtimeNs: ctime,
      ctimeNs: ctime,
      inode: "77",
    });
    // New, then the same again (unchanged), then a newer stat (changed): each look sees the one before.
    t.same(h.journal.scan.upsertFiles(h.jobId, g, [stat(1, "100"), stat(1, "100"), stat(2, "200")]), {
      added: 1,
      changed: 1,
      unchanged: 1,
    });
    t.equal(h.journal.files.find(h.jobId, "twice.txt")?.size, 2);
  },
);
