import { mkdirSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { FileStat, ScannedFile } from "../../../storage/journal.js";
import {
  addFiles,
  checkCounts,
  driveAll,
  fileAt,
  type JournalFactory,
  OPTIONS,
  setup,
  specFor,
  stateOf,
  type TapTest,
} from "./contract-helpers.js";

function statOnDisk(path: string): FileStat {
  const st = statSync(path, { bigint: true });
  return {
    size: Number(st.size),
    mtimeNs: String(st.mtimeNs),
    ctimeNs: String(st.ctimeNs),
    inode: String(st.ino),
  };
}

export function jobsAndScans(t: TapTest, factory: JournalFactory): void {
  t.test(
    "jobs: the same spec finds the same job, options are replaced, state and errors are kept",
    async (t) => {
      const { journal, clock, dir, jobId } = setup(t, factory);
      const spec = specFor(join(dir, "folder"));
      clock.advance(1000);
      const again = journal.jobs.upsert(spec, { ...OPTIONS, message: "second" });
      t.equal(again.created, false);
      t.equal(again.job.id, jobId);
      t.equal(again.job.options.message, "second");
      t.same(again.job.options.exclude, ["*.tmp"]);
      t.equal(again.job.updatedAt, clock.ms);
      const other = journal.jobs.upsert(specFor(join(dir, "folder"), "dev"), OPTIONS);
      t.equal(other.created, true, "another revision is another job");
      t.not(other.job.id, jobId);
      t.equal(other.job.state, "active");
      t.equal(journal.jobs.find(spec)?.id, jobId);
      t.equal(journal.jobs.find({ ...spec, repoType: "model" }), null);
      t.same(
        journal.jobs.list().map((j) => j.id),
        [jobId, other.job.id],
      );
      t.equal(journal.jobs.get(9999), null);

      const blocked = journal.jobs.setState(jobId, "blocked", {
        code: "ERR_HUB_UNAUTHORIZED",
        message: "bad token",
      });
      t.same(blocked.blocked, { code: "ERR_HUB_UNAUTHORIZED", message: "bad token" });
      t.equal(journal.jobs.setState(jobId, "active").blocked, null, "leaving blocked clears the reason");
      t.equal(
        journal.jobs.setState(jobId, "paused", { code: "X", message: "y" }).blocked,
        null,
        "kept only when blocked",
      );
      clock.advance(5);
      const done = journal.jobs.setState(jobId, "done");
      t.equal(done.finishedAt, clock.ms);
      clock.advance(5);
      t.equal(journal.jobs.setState(jobId, "done").finishedAt, done.finishedAt, "finishedAt kept while done");
      t.equal(journal.jobs.setState(jobId, "active").finishedAt, null);

      journal.jobs.recordError(jobId, { code: "ERR_HUB_SERVER", message: "502" });
      t.same(journal.jobs.get(jobId)?.lastError, { code: "ERR_HUB_SERVER", message: "502", at: clock.ms });
      t.throws(() => journal.jobs.setState(9999, "paused"), { code: "ERR_JOB_NOT_FOUND" });
      t.throws(() => journal.jobs.recordError(9999, { code: "X", message: "y" }), {
        code: "ERR_JOB_NOT_FOUND",
      });
      t.throws(() => journal.scan.begin(9999), { code: "ERR_JOB_NOT_FOUND" });
      t.throws(() => journal.scan.upsertFiles(9999, 1, [fileAt("a", 1)]), { code: "ERR_JOB_NOT_FOUND" });
    },
  );

  t.test("scan: new, unchanged and changed files; generations; vanished on finish", async (t) => {
    const { journal, clock, jobId } = setup(t, factory);
    const g1 = journal.scan.begin(jobId);
    t.equal(g1, 1);
    t.same(journal.scan.upsertFiles(jobId, g1, [fileAt("a", 1), fileAt("b", 2), fileAt("c", 3)]), {
      added: 3,
      changed: 0,
      unchanged: 0,
    });
    t.same(journal.scan.finish(jobId, g1), { vanished: 0, deletionsQueued: 0 });
    t.equal(journal.jobs.get(jobId)?.lastScanAt, clock.ms);
    const a = journal.files.find(jobId, "a");
    t.equal(a?.state, "scanned");
    t.equal(a?.mtimeNs, fileAt("a", 1).mtimeNs, "nanosecond strings are kept exactly");
    t.equal(a?.inode, "9000000000000001");

    const g2 = journal.scan.begin(jobId);
    t.equal(g2, 2);
    t.same(journal.scan.upsertFiles(jobId, g2, [fileAt("a", 1), fileAt("b", 20)]), {
      added: 0,
      changed: 1,
      unchanged: 1,
    });
    t.same(journal.scan.finish(jobId, g2), { vanished: 1, deletionsQueued: 0 });
    t.equal(journal.files.find(jobId, "c")?.state, "vanished");
    t.equal(journal.files.find(jobId, "b")?.size, fileAt("b", 20).size);
    checkCounts(t, journal, jobId);

    const g3 = journal.scan.begin(jobId);
    t.same(journal.scan.upsertFiles(jobId, g3, [fileAt("c", 3)]).changed, 1, "a vanished file that is back");
    t.equal(journal.files.find(jobId, "c")?.state, "scanned");
    t.same(journal.files.list(jobId, { afterId: 1, limit: 1 }).length, 1, "listFiles pages by id");
  });

  t.test(
    "rescan of a real folder: touched, resized and deleted files, and only those, are marked",
    async (t) => {
      const { journal, dir, jobId } = setup(t, factory);
      const folder = join(dir, "folder");
      mkdirSync(folder, { recursive: true });
      const names = ["keep1", "keep2", "touched", "resized", "deleted"];
      for (const name of names) writeFileSync(join(folder, name), `content of ${name}\n`);
      const scanAll = (generation: number, present: readonly string[]) =>
        journal.scan.upsertFiles(
          jobId,
          generation,
          present.map((name): ScannedFile => ({ path: name, ...statOnDisk(join(folder, name)) })),
        );
      const g1 = journal.scan.begin(jobId);
      scanAll(g1, names);
      journal.scan.finish(jobId, g1);
      driveAll(journal, jobId, "committed");
      const before = new Map(journal.files.list(jobId).map((f) => [f.path, f]));
      t.ok([...before.values()].every((f) => f.state === "committed" && f.hashCount === 1));

      utimesSync(join(folder, "touched"), new Date(2001, 1, 1), new Date(2001, 1, 1));
      writeFileSync(join(folder, "resized"), "longer content than before\n");
      rmSync(join(folder, "deleted"));
      const g2 = journal.scan.begin(jobId);
      const present = names.filter((n) => n !== "deleted");
      t.same(scanAll(g2, present), { added: 0, changed: 2, unchanged: 2 });
      t.same(
        journal.scan.finish(jobId, g2),
        { vanished: 0, deletionsQueued: 0 },
        "a committed file stays committed when deleted",
      );

      for (const name of ["touched", "resized"]) {
        const file = journal.files.find(jobId, name);
        t.equal(file?.state, "scanned", `${name} goes back to scanned`);
        t.equal(file?.sha256, null, `${name} hashes cleared`);
        t.equal(file?.commitId, null);
        t.same(file && { size: file.size, mtimeNs: file.mtimeNs }, {
          size: statOnDisk(join(folder, name)).size,
          mtimeNs: statOnDisk(join(folder, name)).mtimeNs,
        });
      }
      for (const name of ["keep1", "keep2", "deleted"]) {
        t.same(journal.files.find(jobId, name), before.get(name), `${name} untouched (hashCount and all)`);
      }
      checkCounts(t, journal, jobId);
    },
  );

  t.test(
    "rescan: not-yet-committed deleted files vanish; committing waits; failed returns only if changed",
    async (t) => {
      const { journal, jobId } = setup(t, factory);
      const [f0, f1, f2, f3] = addFiles(journal, jobId, 4);
      if (!f0 || !f1 || !f2 || !f3) throw new Error("setup");
      driveAll(journal, jobId, "uploaded");
      const commit = journal.commits.create(jobId, [f0.id], "m");
      journal.stages.recordPermanentFailure([f1.id], null, {
        code: "ERR_FILE_TOO_LARGE",
        message: "too large",
      });
      const g = journal.scan.begin(jobId);
      const result = journal.scan.upsertFiles(jobId, g, [fileAt("f0", 100), fileAt("f1", 1)]);
      t.same(result, { added: 0, changed: 0, unchanged: 2 });
      t.equal(
        stateOf(journal, f0.id),
        "committing",
        "a changed file in a sent commit is left for the next scan",
      );
      t.equal(journal.files.get(f0.id)?.mtimeNs, f0.mtimeNs, "its stat is not updated either");
      t.equal(stateOf(journal, f1.id), "failed", "failed with the same stat stays failed");
      t.same(journal.scan.finish(jobId, g), { vanished: 2, deletionsQueued: 0 });
      t.equal(stateOf(journal, f2.id), "vanished");
      t.equal(stateOf(journal, f3.id), "vanished");
      journal.commits.recordDone(commit.id, "a".repeat(40));
      const g2 = journal.scan.begin(jobId);
      t.same(journal.scan.upsertFiles(jobId, g2, [fileAt("f0", 100), fileAt("f1", 5)]).changed, 2);
      t.equal(stateOf(journal, f0.id), "scanned", "after the commit settled, the change is picked up");
      t.equal(stateOf(journal, f1.id), "scanned", "a failed file that changed is tried again");
      t.equal(journal.files.get(f1.id)?.lastError, null);
      checkCounts(t, journal, jobId);
    },
  );
}
