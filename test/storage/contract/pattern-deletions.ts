import { addFiles, driveAll, fileAt, type JournalFactory, setup, type TapTest } from "./contract-helpers.js";

/** --delete GLOB's queued listing and --create-pr's pull request, as the journal keeps them. */
export function patternDeletionsAndPullRequests(t: TapTest, factory: JournalFactory): void {
  t.test(
    "deletions.queueListed: matches queued except paths the job holds; the listing recorded once",
    async (t) => {
      const { journal, jobId } = setup(t, factory);
      addFiles(journal, jobId, 2);
      driveAll(journal, jobId, "committed");
      // f1 vanished locally (a later complete scan no longer saw it): not uploaded, so deletable.
      const generation = journal.scan.begin(jobId);
      journal.scan.upsertFiles(jobId, generation, [fileAt("f0", 0)]);
      journal.scan.finish(jobId, generation, { mirrorDeletions: true });
      for (const d of journal.deletions.pending(jobId, 10)) journal.deletions.markDone(jobId, [d.id]);
      t.equal(journal.jobs.get(jobId)?.deletionsListedAt, null, "not listed yet");

      const queued = journal.deletions.queueListed(jobId, ["f0", "x.txt", "sub/y.txt", "x.txt"]);
      t.equal(queued, 2, "f0 is uploaded by the job; x.txt once");
      t.same(
        journal.deletions.pending(jobId, 10).map((d) => d.path),
        ["x.txt", "sub/y.txt"],
      );
      t.type(journal.jobs.get(jobId)?.deletionsListedAt, "number", "the listing is recorded with its rows");
      t.equal(
        journal.deletions.queueListed(jobId, ["x.txt"]),
        0,
        "a path already queued is not queued twice",
      );

      // A path the scan sees for the first time is uploaded by the job: its queued deletion is dropped.
      const next = journal.scan.begin(jobId);
      journal.scan.upsertFiles(jobId, next, [fileAt("f0", 0), fileAt("sub/y.txt", 7)]);
      t.same(
        journal.deletions.pending(jobId, 10).map((d) => d.path),
        ["x.txt"],
        "sub/y.txt is uploaded now, not deleted",
      );
      t.throws(() => journal.deletions.queueListed(jobId + 99, ["z"]), "an unknown job is refused");
      t.same(journal.deletions.pending(jobId + 99, 10), [], "and nothing was queued for it");
    },
  );

  t.test("jobs.recordPullRequest and recordPullRequestFloor persist on the job", async (t) => {
    const h = setup(t, factory);
    t.equal(h.journal.jobs.get(h.jobId)?.pullRequest, null);
    h.journal.jobs.recordPullRequestFloor(h.jobId, 4);
    h.journal.jobs.recordPullRequest(h.jobId, 5);
    const reopened = h.reopen();
    const job = reopened.jobs.get(h.jobId);
    t.equal(job?.pullRequest, 5);
    t.equal(job?.pullRequestFloor, 4);
    t.throws(() => reopened.jobs.recordPullRequest(h.jobId + 99, 1), "an unknown job is refused");
  });
}
