import {
  addFiles,
  checkCounts,
  driveAll,
  type JournalFactory,
  setup,
  stateOf,
  type TapTest,
} from "./contract-helpers.js";

const OID = "1234567890abcdef1234567890abcdef12345678";
const LOST = { code: "ERR_HUB_TIMEOUT", message: "no answer" };

export function commitsLfsEvents(t: TapTest, factory: JournalFactory): void {
  t.test("commits: done, failed, unknown, reconciled, and only uploaded files join a batch", async (t) => {
    const { journal, clock, jobId } = setup(t, factory);
    const files = addFiles(journal, jobId, 8);
    const ids = files.map((f) => f.id);
    driveAll(journal, jobId, "uploaded");
    const [a, b, c, d, e, f, g, h] = ids;
    if (h === undefined || a === undefined || b === undefined || c === undefined) throw new Error("setup");
    if (d === undefined || e === undefined || f === undefined || g === undefined) throw new Error("setup");

    const first = journal.commits.create(jobId, [a, b, a], "Upload");
    t.match(first, {
      jobId,
      state: "sent",
      message: "Upload",
      fileCount: 2,
      commitOid: null,
      settledAt: null,
    });
    t.equal(first.createdAt, clock.ms);
    const again = journal.commits.create(jobId, [a, c], "Upload (part 2)");
    t.equal(again.fileCount, 1, "a file already in a batch is not taken twice");
    t.same(
      journal.commits.files(first.id).map((x) => x.id),
      [a, b],
    );
    t.same(
      journal.commits.listUnsettled(jobId).map((x) => x.id),
      [first.id, again.id],
    );
    clock.advance(100);
    journal.commits.recordDone(first.id, OID);
    const done = journal.commits.list(jobId)[0];
    t.match(done, { state: "committed", commitOid: OID, settledAt: clock.ms });
    t.same([stateOf(journal, a), stateOf(journal, b)], ["committed", "committed"]);
    journal.commits.recordDone(first.id, OID);
    t.equal(journal.jobs.get(jobId)?.commitsMade, 1, "settling twice counts once");

    journal.commits.recordFailed(again.id, { code: "ERR_HUB_BAD_REQUEST", message: "bad path" });
    t.equal(stateOf(journal, c), "uploaded", "a refused batch's files go back to uploaded");
    t.equal(journal.files.get(c)?.commitId, null);
    t.match(journal.commits.list(jobId)[1], { state: "failed", error: { code: "ERR_HUB_BAD_REQUEST" } });
    t.equal(journal.jobs.get(jobId)?.lastError?.code, "ERR_HUB_BAD_REQUEST");

    const lost = journal.commits.create(jobId, [c, d, e], "Upload (part 3)");
    journal.commits.markUnknown(lost.id, LOST);
    t.match(journal.commits.listUnsettled(jobId), [{ id: lost.id, state: "unknown", error: LOST }]);
    t.same(
      [stateOf(journal, c), stateOf(journal, d)],
      ["committing", "committing"],
      "files wait for reconciliation",
    );
    journal.commits.reconcile(lost.id, [c, e, a]);
    t.same(
      [c, d, e].map((id) => stateOf(journal, id)),
      ["committed", "uploaded", "committed"],
    );
    t.equal(journal.files.get(d)?.commitId, null);
    t.equal(journal.files.get(e)?.commitId, lost.id);
    t.equal(journal.files.get(a)?.commitId, first.id, "a file of another batch is not moved");
    t.match(journal.commits.list(jobId)[2], { state: "reconciled", settledAt: clock.ms });
    t.equal(journal.jobs.get(jobId)?.commitsMade, 2, "files found remotely mean the commit happened");
    t.same(journal.commits.listUnsettled(jobId), []);

    const sentThenCrash = journal.commits.create(jobId, [f, g], "Upload (part 4)");
    journal.commits.reconcile(sentThenCrash.id, []);
    t.same(
      [stateOf(journal, f), stateOf(journal, g)],
      ["uploaded", "uploaded"],
      "a sent batch found nowhere",
    );
    t.equal(journal.jobs.get(jobId)?.commitsMade, 2);
    journal.commits.recordDone(sentThenCrash.id, OID);
    t.equal(stateOf(journal, f), "uploaded", "a settled batch cannot be settled again");

    const empty = journal.commits.create(jobId, [a], "nothing");
    t.match(empty, { fileCount: 0, state: "failed", error: { code: "ERR_FILE_CHANGED" } });
    t.throws(() => journal.commits.recordDone(9999, OID), { code: "ERR_INTERNAL" });
    t.throws(() => journal.commits.create(9999, [h], "x"), { code: "ERR_JOB_NOT_FOUND" });
    checkCounts(t, journal, jobId);
  });

  t.test("LFS plans: save, read back, record parts, replace, delete", async (t) => {
    const { journal, clock, jobId } = setup(t, factory);
    const [file] = addFiles(journal, jobId, 1);
    if (!file) throw new Error("setup");
    const plan = {
      oid: "ab".repeat(32),
      size: 25,
      chunkSize: 10,
      completionUrl: "http://127.0.0.1:9/complete?sig=1",
      partUrls: ["http://127.0.0.1:9/p1", "http://127.0.0.1:9/p2", "http://127.0.0.1:9/p3"],
      expiresAt: clock.ms + 3_600_000,
      verifyUrl: "http://127.0.0.1:9/verify",
      verifyHeader: { Authorization: "Basic x" },
    };
    t.equal(journal.lfs.getPlan(file.id), null);
    journal.lfs.savePlan(file.id, plan);
    journal.lfs.recordPartDone(file.id, 2, '"etag-2"');
    journal.lfs.recordPartDone(file.id, 1, '"etag-1"');
    journal.lfs.recordPartDone(file.id, 2, '"etag-2b"');
    const stored = journal.lfs.getPlan(file.id);
    t.match(stored, { ...plan, fileId: file.id, createdAt: clock.ms });
    t.same(
      [...(stored?.doneParts ?? [])],
      [
        [1, '"etag-1"'],
        [2, '"etag-2b"'],
      ],
    );
    journal.lfs.savePlan(file.id, {
      ...plan,
      partUrls: ["http://127.0.0.1:9/q1"],
      expiresAt: null,
      verifyHeader: null,
    });
    const replaced = journal.lfs.getPlan(file.id);
    t.same(replaced?.partUrls, ["http://127.0.0.1:9/q1"]);
    t.equal(replaced?.doneParts.size, 0, "a new plan starts with no finished parts");
    t.equal(replaced?.verifyHeader, null);
    journal.lfs.deletePlan(file.id);
    t.equal(journal.lfs.getPlan(file.id), null);
    journal.lfs.recordPartDone(file.id, 1, '"late"');
    t.equal(journal.lfs.getPlan(file.id), null, "a part finishing after its plan was dropped is forgotten");
  });

  t.test("events: ids grow by one across reopen, read the tail, prune keeps the newest", async (t) => {
    const h = setup(t, factory);
    t.equal(h.journal.events.lastId(), 0);
    const first = h.journal.events.append("job.added", h.jobId, { folder: "/x", repo: "u/r" });
    t.match(first, { id: 1, at: h.clock.ms, jobId: h.jobId, type: "job.added", data: { folder: "/x" } });
    for (let i = 0; i < 4; i++) h.journal.events.append("job.retried", h.jobId, { files: i });
    const journal = h.reopen();
    t.equal(journal.events.lastId(), 5);
    t.equal(journal.events.append("daemon.started", null, { pid: 1, version: "0.0.0" }).id, 6);
    t.same(journal.events.append("job.resumed", null, {}).data, {});
    t.same(
      journal.events.read(4, 100).map((e) => e.id),
      [5, 6, 7],
    );
    t.same(
      journal.events.read(0, 2).map((e) => e.id),
      [1, 2],
    );
    t.equal(journal.events.prune(3), 4);
    t.same(
      journal.events.read(0, 100).map((e) => e.id),
      [5, 6, 7],
    );
    t.equal(journal.events.prune(0), 3);
    t.equal(journal.events.lastId(), 7, "the last id survives pruning everything");
    t.equal(journal.events.append("job.cancelled", null, {}).id, 8);
    t.equal(journal.events.prune(10), 0);
  });

  t.test("state survives close and reopen; integrity check is ok", async (t) => {
    const h = setup(t, factory);
    addFiles(h.journal, h.jobId, 5);
    driveAll(h.journal, h.jobId, "committed");
    const before = h.journal.files.list(h.jobId);
    const counts = h.journal.jobs.counts(h.jobId);
    const journal = h.reopen();
    t.same(journal.files.list(h.jobId), before);
    t.same(journal.jobs.counts(h.jobId), counts);
    t.same(journal.integrityCheck(), ["ok"]);
  });
}
