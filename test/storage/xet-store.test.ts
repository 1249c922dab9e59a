import { join } from "node:path";
import Database from "better-sqlite3";
import t from "tap";
import { loadMigrations } from "../../storage/load-migrations.js";
import { openJournal } from "../../storage/sqlite-journal.js";
import { fileAt, OPTIONS, specFor } from "./contract/contract-helpers.js";

const EP = "http://hub.example";
const h = (n: number): Uint8Array => new Uint8Array(32).fill(n);

t.test("a journal from before the Xet migration is upgraded in place", async (t) => {
  const path = join(t.testdir(), "journal.sqlite");
  const migrations = loadMigrations();
  const xet = migrations.findIndex((m) => m.name.endsWith("-xet.sql"));
  t.ok(xet > 0, "the xet migration exists");
  const old = new Database(path);
  for (const m of migrations.slice(0, xet)) old.exec(m.sql);
  old.pragma(`user_version = ${xet}`);
  old.close();
  const journal = openJournal(path);
  t.teardown(() => journal.close());
  const { job } = journal.jobs.upsert(specFor("/data"), OPTIONS);
  journal.xet.addJobStats(job.id, { bytesSent: 5 });
  t.equal(journal.xet.jobStats(job.id)?.bytesSent, 5, "the new tables are usable");
});

t.test("xorbs: built → uploaded feeds the chunk index; forget removes both; stats add up", async (t) => {
  const journal = openJournal(join(t.testdir(), "j.sqlite"));
  t.teardown(() => journal.close());
  const { job } = journal.jobs.upsert(specFor("/data"), OPTIONS);
  const chunks = [
    { hash: h(1), length: 100 },
    { hash: h(2), length: 200 },
  ];
  journal.xet.recordXorbBuilt(EP, { hash: "x1", chunks, unpackedBytes: 300, serializedBytes: 316 });
  t.equal(journal.xet.getXorb(EP, "x1")?.state, "built");
  t.equal(journal.xet.lookupChunk(EP, h(2)), null, "a built xorb is not in the index");
  journal.xet.recordXorbUploaded(EP, "x1", job.id, 316);
  t.same(journal.xet.lookupChunk(EP, h(2)), { xorb: "x1", index: 1 }, "uploaded: its chunks are indexed");
  t.equal(journal.xet.lookupChunk("http://other", h(2)), null, "per endpoint");
  t.same(
    journal.xet.getXorb(EP, "x1")?.chunks.map((c) => c.length),
    [100, 200],
    "the chunk list round-trips",
  );
  journal.xet.recordXorbUploaded(EP, "x1", job.id, 316);
  t.same(
    journal.xet.jobStats(job.id),
    {
      bytesChunked: 0,
      bytesDeduped: 0,
      bytesSent: 632,
      xorbsStored: 1,
      files: 0,
      note: null,
    },
    "a re-send counts its bytes, not a second xorb",
  );
  journal.xet.forgetXorb(EP, "x1");
  t.equal(journal.xet.getXorb(EP, "x1"), null);
  t.equal(journal.xet.lookupChunk(EP, h(1)), null, "its index rows are gone");
});

t.test("file versions: states, terms, and committed by trigger when the file commits", async (t) => {
  const journal = openJournal(join(t.testdir(), "j.sqlite"));
  t.teardown(() => journal.close());
  const { job } = journal.jobs.upsert(specFor("/data"), OPTIONS);
  const generation = journal.scan.begin(job.id);
  journal.scan.upsertFiles(job.id, generation, [fileAt("a.bin", 10)]);
  const file = journal.files.find(job.id, "a.bin");
  if (file === null) throw new Error("no file");
  const terms = [{ xorb: "x1", start: 0, end: 2, bytes: 10 }];
  journal.xet.recordFile(file.id, "s1", { state: "chunked", xetHash: "f1", terms, bytesSent: 7 });
  journal.xet.recordFile(file.id, "s1", { state: "shard_registered", bytesSent: 3 });
  t.same(journal.xet.getFile(file.id, "s1"), {
    fileId: file.id,
    sha256: "s1",
    xetHash: "f1",
    terms,
    state: "shard_registered",
    builtXorbs: [],
    bytesSent: 10,
    bytesDeduped: 0,
  });
  const db = new Database(journal.path);
  t.teardown(() => db.close());
  db.prepare("UPDATE files SET sha256 = 's1' WHERE id = ?").run(file.id);
  db.prepare("UPDATE files SET state = 'committed' WHERE id = ?").run(file.id);
  t.equal(journal.xet.getFile(file.id, "s1")?.state, "committed", "the trigger followed the commit");
});
