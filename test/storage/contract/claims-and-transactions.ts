import {
  addFiles,
  checkCounts,
  hashesFor,
  type JournalFactory,
  OPTIONS,
  setup,
  specFor,
  stateOf,
  type TapTest,
} from "./contract-helpers.js";

const LEASE = 30_000;

export function claimsAndTransactions(t: TapTest, factory: JournalFactory): void {
  t.test("claims: ordered by id, limited, per state and job", async (t) => {
    const { journal, dir, jobId } = setup(t, factory);
    addFiles(journal, jobId, 10);
    const other = journal.jobs.upsert(specFor(`${dir}/other`), OPTIONS);
    addFiles(journal, other.job.id, 3);
    const first = journal.files.claim({ jobId, state: "scanned", limit: 4, leaseId: "a", leaseMs: LEASE });
    const second = journal.files.claim({ jobId, state: "scanned", limit: 4, leaseId: "b", leaseMs: LEASE });
    const ids = [...first, ...second].map((f) => f.id);
    t.same(
      ids,
      [...ids].sort((x, y) => x - y),
      "in id order",
    );
    t.equal(new Set(ids).size, 8);
    t.ok([...first, ...second].every((f) => f.jobId === jobId));
    t.equal(
      journal.files.claim({ jobId, state: "scanned", limit: 10, leaseId: "c", leaseMs: LEASE }).length,
      2,
    );
    t.same(journal.files.claim({ jobId, state: "scanned", limit: 0, leaseId: "c", leaseMs: LEASE }), []);
  });

  t.test("transaction: several results land together, or none when the function throws", async (t) => {
    const { journal, jobId } = setup(t, factory);
    const files = addFiles(journal, jobId, 3);
    const claimed = journal.files.claim({ jobId, state: "scanned", limit: 3, leaseId: "h", leaseMs: LEASE });
    t.throws(() =>
      journal.transaction(() => {
        for (const file of claimed) journal.stages.recordHashed(file.id, "h", file, file, hashesFor(file.id));
        throw new Error("the worker died half-way");
      }),
    );
    t.same(
      files.map((f) => stateOf(journal, f.id)),
      ["scanned", "scanned", "scanned"],
      "nothing of a failed transaction is kept",
    );
    const applied = journal.transaction(
      () =>
        claimed.filter((file) => journal.stages.recordHashed(file.id, "h", file, file, hashesFor(file.id)))
          .length,
    );
    t.equal(applied, 3);
    t.same(
      files.map((f) => stateOf(journal, f.id)),
      ["hashed", "hashed", "hashed"],
    );
    t.equal(
      journal.jobs.get(jobId)?.bytesHashed,
      files.reduce((sum, f) => sum + f.size, 0),
    );
    checkCounts(t, journal, jobId);
  });
}
