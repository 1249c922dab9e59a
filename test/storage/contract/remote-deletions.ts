import {
  addFiles,
  checkCounts,
  driveAll,
  fileAt,
  hashesFor,
  type JournalFactory,
  setup,
  statOf,
  type TapTest,
} from "./contract-helpers.js";

const OID = "d".repeat(40);

/** --delete: deletions queued by complete scans, carried and settled by commit batches. */
export function remoteDeletions(t: TapTest, factory: JournalFactory): void {
  t.test("a scan batch written after a newer stat was recorded does not send the file back", async (t) => {
    const { journal, jobId } = setup(t, factory);
    const [file] = addFiles(journal, jobId, 1);
    if (file === undefined) throw new Error("setup");
    const generation = journal.scan.begin(jobId);
    // The hash stage saw the file after it changed (stat 5); the scan's batch, made before, says stat 0.
    const [claimed] = journal.files.claim({
      jobId,
      state: "scanned",
      limit: 1,
      leaseId: "h",
      leaseMs: 60_000,
    });
    if (claimed === undefined) throw new Error("setup");
    journal.stages.recordHashed(claimed.id, "h", claimed, statOf(5), hashesFor(5));
    const stale = journal.scan.upsertFiles(jobId, generation, [fileAt(file.path, 0)]);
    t.same(stale, { added: 0, changed: 0, unchanged: 1 }, "an older ctime is a stale look");
    t.equal(journal.files.get(file.id)?.state, "hashed", "not hashed again");
    const newer = journal.scan.upsertFiles(jobId, generation, [fileAt(file.path, 6)]);
    t.same(newer, { added: 0, changed: 1, unchanged: 0 }, "a newer stat still sends it back");
  });

  t.test(
    "remote deletions: queued by a complete scan, forgotten when seen again, settled with their batch",
    async (t) => {
      const { journal, jobId } = setup(t, factory);
      addFiles(journal, jobId, 4);
      driveAll(journal, jobId, "committed");
      addFiles(journal, jobId, 1, "late");
      // f0..f3 committed; late0 still scanned.

      // A scan that sees only f0 and f1.
      const generation = journal.scan.begin(jobId);
      journal.scan.upsertFiles(jobId, generation, [fileAt("f0", 0), fileAt("f1", 1)]);
      const plain = journal.scan.finish(jobId, generation);
      t.same(
        plain,
        { vanished: 1, deletionsQueued: 0 },
        "without --delete: only the unsettled file vanishes",
      );
      t.same(journal.deletions.pending(jobId, 10), [], "nothing is queued without --delete");
      t.equal(journal.files.find(jobId, "f2")?.state, "committed", "committed files stay committed");

      const again = journal.scan.begin(jobId);
      journal.scan.upsertFiles(jobId, again, [fileAt("f0", 0), fileAt("f1", 1)]);
      const mirrored = journal.scan.finish(jobId, again, { mirrorDeletions: true });
      t.same(mirrored, { vanished: 2, deletionsQueued: 2 }, "committed f2 and f3 vanish and are queued");
      t.same(
        journal.deletions
          .pending(jobId, 10)
          .map((d) => d.path)
          .sort(),
        ["f2", "f3"],
      );
      t.same(journal.deletions.counts(jobId), { pending: 2, committing: 0, deleted: 0 });
      checkCounts(t, journal, jobId);

      // The Hub no longer holds f3 (someone deleted it there): settled without a commit.
      const f3 = journal.deletions.pending(jobId, 10).find((d) => d.path === "f3");
      journal.deletions.markDone(jobId, f3 ? [f3.id] : []);
      t.same(journal.deletions.counts(jobId), { pending: 1, committing: 0, deleted: 1 });
      // f3 comes back: it is uploaded again, and its deletion row is dropped.
      const seen = journal.scan.begin(jobId);
      journal.scan.upsertFiles(jobId, seen, [fileAt("f0", 0), fileAt("f1", 1), fileAt("f3", 33)]);
      journal.scan.finish(jobId, seen, { mirrorDeletions: true });
      t.same(
        journal.deletions.pending(jobId, 10).map((d) => d.path),
        ["f2"],
        "a path seen again drops its queued deletion",
      );
      t.equal(journal.files.find(jobId, "f3")?.state, "scanned", "and goes through the stages again");

      const f2 = journal.deletions.pending(jobId, 10);
      const batch = journal.commits.create(
        jobId,
        [],
        "Upload",
        f2.map((d) => d.id),
      );
      t.equal(batch.state, "sent", "a batch of deletions alone is sent");
      t.same(
        journal.deletions.forCommit(batch.id).map((d) => d.path),
        ["f2"],
      );
      const twice = journal.commits.create(
        jobId,
        [],
        "Upload",
        f2.map((d) => d.id),
      );
      t.equal(twice.state, "failed", "a deletion in flight does not join a second batch");
      journal.commits.recordFailed(batch.id, { code: "ERR_HUB_ENTRY_NOT_FOUND", message: "no such file" });
      t.same(
        journal.deletions.counts(jobId),
        { pending: 1, committing: 0, deleted: 0 },
        "refused → pending again",
      );

      const retry = journal.commits.create(
        jobId,
        [],
        "Upload",
        f2.map((d) => d.id),
      );
      journal.commits.markUnknown(retry.id, { code: "ERR_HUB_NETWORK", message: "reset" });
      t.same(
        journal.deletions.counts(jobId),
        { pending: 0, committing: 1, deleted: 0 },
        "unknown: still in flight",
      );
      journal.commits.reconcile(retry.id, [], []);
      t.same(
        journal.deletions.counts(jobId),
        { pending: 1, committing: 0, deleted: 0 },
        "not found deleted → pending",
      );

      const last = journal.commits.create(
        jobId,
        [],
        "Upload",
        f2.map((d) => d.id),
      );
      journal.commits.recordDone(last.id, OID);
      t.same(
        journal.deletions.counts(jobId),
        { pending: 0, committing: 0, deleted: 1 },
        "committed → deleted",
      );
      t.equal(journal.commits.lastSentAt(jobId), last.createdAt, "lastCommitAt is the newest batch sent");

      // Deleted, then back again: the row is dropped and the file uploaded anew.
      const back = journal.scan.begin(jobId);
      journal.scan.upsertFiles(jobId, back, [
        fileAt("f0", 0),
        fileAt("f1", 1),
        fileAt("f2", 22),
        fileAt("f3", 33),
      ]);
      journal.scan.finish(jobId, back, { mirrorDeletions: true });
      t.same(journal.deletions.counts(jobId), { pending: 0, committing: 0, deleted: 0 }, "no deletion left");
      t.equal(journal.files.find(jobId, "f2")?.state, "scanned");
      checkCounts(t, journal, jobId);
    },
  );
}
