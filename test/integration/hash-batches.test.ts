/**
 * Issue 16 item 1 end to end: small files hashed in batches and committed from the bytes their hash
 * read; every file arrives byte-identical and the journal's counters equal a recount.
 */
import { createHash, randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import t from "tap";
import { startHarness, WRITE_TOKEN } from "../helpers/engine-harness.js";
import { readTree } from "../helpers/folder-tree.js";
import { downloadRemoteFile, listRemoteFiles } from "../helpers/remote-repo.js";
import { recountMatches } from "../storage/recount-files.js";

function blobSha1(bytes: Buffer): string {
  return createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}

t.test("500 small files in batches: byte-identical on the Hub, counters equal a recount", async (t) => {
  const h = await startHarness({ tuning: { commitSizes: [50, 100, 200], initialCommitSizeIndex: 0 } });
  t.teardown(() => h.close());
  for (let i = 0; i < 500; i++) {
    // 0 B to ~70 KiB: some above the 64 KiB kept for the commit, most below.
    writeFileSync(path.join(h.folder, `f-${i}.txt`), randomBytes((i * 7919) % 72_000));
  }
  writeFileSync(path.join(h.folder, "larger.txt"), randomBytes(3 * 1024 * 1024));
  // Files quiet for longer than a clock tick have their hashed bytes kept (kept-content.ts).
  await new Promise((resolve) => setTimeout(resolve, 200));
  const job = h.add("user/batches");
  t.equal((await h.engine.whenSettled(job.id)).state, "done");

  const repo = { endpoint: h.emulator.url, id: "user/batches", token: WRITE_TOKEN };
  const local = readTree(h.folder);
  const remote = await listRemoteFiles(repo);
  let identical = 0;
  for (const [rel, bytes] of local) {
    const entry = remote.get(rel);
    // An inline file's oid is its blob sha1; an LFS one (larger.txt) carries its sha256.
    const oid = entry?.lfs ? entry.lfs.oid : entry?.oid;
    const expected = entry?.lfs ? createHash("sha256").update(bytes).digest("hex") : blobSha1(bytes);
    if (entry?.size === bytes.length && oid === expected) identical++;
    else t.fail(`${rel} differs on the Hub`);
  }
  t.equal(identical, local.size, "every file's blob oid on the Hub is that of the local bytes");
  for (const rel of ["f-1.txt", "f-8.txt", "f-499.txt", "larger.txt"]) {
    t.ok(
      (await downloadRemoteFile(repo, rel)).equals(local.get(rel) ?? Buffer.alloc(1)),
      `${rel} downloads identical`,
    );
  }

  const counts = h.journal.jobs.counts(job.id);
  t.equal(counts.byState.committed.files, local.size);
  const raw = new Database(path.join(h.root, "state", "journal.sqlite"), { readonly: true });
  t.teardown(() => raw.close());
  recountMatches(t, raw, job.id, counts);
  t.same(
    h.journal.files.list(job.id).filter((f) => f.hashCount !== 1),
    [],
    "every file hashed exactly once",
  );
});
