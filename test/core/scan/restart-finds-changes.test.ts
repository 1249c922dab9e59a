import { mkdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import t from "tap";
import { scanFolder } from "../../../core/scan/scan-folder.js";
import type { Journal, ScannedFile } from "../../../storage/journal.js";
import { openJournal } from "../../../storage/sqlite-journal.js";
import { prng } from "../../helpers/folder-tree.js";
import { OPTIONS, specFor } from "../../storage/contract/contract-helpers.js";

const FILES = 2_500;
/** Smaller than the folder: the batch lookups and the seen-ids bitmap span many batches. */
const BATCH = 200;

/** One scan as scan-job.ts runs it: begin, batches of upserts, finish. Returns the totals. */
async function scan(journal: Journal, jobId: number, folder: string, mirrorDeletions = false) {
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
    if (batch.length >= BATCH) flush();
  }
  flush();
  return { ...totals, ...journal.scan.finish(jobId, generation, { mirrorDeletions }) };
}

t.test("a restart finds every changed, added and vanished file, and nothing else", async (t) => {
  const root = t.testdir();
  const folder = path.join(root, "data");
  const dbPath = path.join(root, "journal.sqlite");
  const random = prng(16);
  const rel = (i: number) => `d${i % 37}/f${i}.txt`;
  for (let d = 0; d < 37; d++) mkdirSync(path.join(folder, `d${d}`), { recursive: true });
  for (let i = 0; i < FILES; i++) writeFileSync(path.join(folder, rel(i)), `content ${i}`);

  let journal = openJournal(dbPath);
  const jobId = journal.jobs.upsert(specFor(folder), OPTIONS).job.id;
  t.same(await scan(journal, jobId, folder), {
    added: FILES,
    changed: 0,
    unchanged: 0,
    vanished: 0,
    deletionsQueued: 0,
  });
  journal.close();
  // Everything on the Hub, as before a restart of a finished job.
  const raw = new Database(dbPath);
  raw.prepare("UPDATE files SET state = 'committed'").run();
  raw.close();

  // Between the runs: some files change (content, or only a touch of mtime), some go, some come.
  const changed = new Set<string>();
  const vanished = new Set<string>();
  for (let i = 0; i < FILES; i++) {
    const roll = random();
    if (roll < 0.05) {
      writeFileSync(path.join(folder, rel(i)), `new content of ${i}!`);
      changed.add(rel(i));
    } else if (roll < 0.08) {
      const when = new Date(Date.now() + 3_600_000);
      utimesSync(path.join(folder, rel(i)), when, when);
      changed.add(rel(i));
    } else if (roll < 0.12) {
      rmSync(path.join(folder, rel(i)));
      vanished.add(rel(i));
    }
  }
  const added = new Set<string>();
  for (let i = FILES; i < FILES + 150; i++) {
    writeFileSync(path.join(folder, rel(i)), `added ${i}`);
    added.add(rel(i));
  }

  // The restart: a new process, a new journal connection, one scan with --delete.
  journal = openJournal(dbPath);
  t.teardown(() => journal.close());
  const result = await scan(journal, jobId, folder, true);
  t.same(result, {
    added: added.size,
    changed: changed.size,
    unchanged: FILES - changed.size - vanished.size,
    vanished: vanished.size,
    deletionsQueued: vanished.size,
  });
  const rows = journal.files.list(jobId, { limit: 10 * FILES });
  const byPath = new Map(rows.map((f) => [f.path, f.state]));
  for (const p of added) t.equal(byPath.get(p), "scanned", `added ${p} is to upload`);
  for (const p of changed) t.equal(byPath.get(p), "scanned", `changed ${p} is to upload again`);
  for (const p of vanished) t.equal(byPath.get(p), "vanished", `deleted ${p} is vanished`);
  const others = rows.filter((f) => !added.has(f.path) && !changed.has(f.path) && !vanished.has(f.path));
  t.equal(others.length, FILES - changed.size - vanished.size);
  t.ok(
    others.every((f) => f.state === "committed"),
    "every file not touched stays committed",
  );
  t.same(
    journal.deletions
      .pending(jobId, 10 * FILES)
      .map((d) => d.path)
      .sort(),
    [...vanished].sort(),
    "exactly the deleted files are queued for deletion",
  );

  // A second restart with nothing changed finds nothing, and the vanished stay vanished.
  const again = await scan(journal, jobId, folder, true);
  t.same(again, {
    added: 0,
    changed: 0,
    unchanged: FILES - vanished.size + added.size,
    vanished: 0,
    deletionsQueued: 0,
  });
});
