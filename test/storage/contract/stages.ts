import {
  addFiles,
  checkCounts,
  driveAll,
  hashesFor,
  type JournalFactory,
  setup,
  stateOf,
  statOf,
  type TapTest,
} from "./contract-helpers.js";

const LEASE = 30_000;
const NET = { code: "ERR_HUB_NETWORK", message: "connection reset" };

export function stages(t: TapTest, factory: JournalFactory): void {
  t.test("a file goes scanned → hashed → planned → uploaded → committing → committed", async (t) => {
    const { journal, clock, jobId } = setup(t, factory);
    const [file] = addFiles(journal, jobId, 1);
    if (!file) throw new Error("setup");
    const claim = (state: "scanned" | "hashed" | "planned" | "uploaded", owner: string) =>
      journal.files.claim({ jobId, state, limit: 10, leaseId: owner, leaseMs: LEASE });

    t.same(
      claim("scanned", "h1").map((f) => f.id),
      [file.id],
    );
    t.same(claim("scanned", "h2"), [], "a leased file is not claimed twice");
    const observed = statOf(7);
    t.equal(journal.stages.recordHashed(file.id, "h1", file, observed, hashesFor(1)), true);
    let now = journal.files.get(file.id);
    t.equal(now?.state, "hashed");
    t.equal(now?.sha256, hashesFor(1).sha256);
    t.equal(now?.sample, hashesFor(1).sample);
    t.equal(now?.hashCount, 1);
    t.equal(now?.size, observed.size, "the stat the hashes belong to is stored");
    t.equal(journal.jobs.get(jobId)?.bytesHashed, observed.size);

    t.equal(claim("hashed", "p1").length, 1);
    journal.stages.recordPlans("p1", [
      { fileId: file.id, uploadMode: "lfs", remoteOid: "old", next: "planned" },
    ]);
    now = journal.files.get(file.id);
    t.equal(now?.state, "planned");
    t.equal(now?.uploadMode, "lfs");
    t.equal(now?.remoteOid, "old");

    t.same(
      journal.files.claim({
        jobId,
        state: "planned",
        limit: 5,
        leaseId: "u",
        leaseMs: LEASE,
        uploadMode: "regular",
      }),
      [],
    );
    t.equal(
      journal.files.claim({
        jobId,
        state: "planned",
        limit: 5,
        leaseId: "u1",
        leaseMs: LEASE,
        uploadMode: "lfs",
      }).length,
      1,
    );
    journal.lfs.savePlan(file.id, {
      oid: hashesFor(1).sha256,
      size: observed.size,
      chunkSize: 10,
      completionUrl: "http://x/complete",
      partUrls: ["http://x/1"],
      expiresAt: null,
      verifyUrl: null,
      verifyHeader: null,
    });
    journal.stages.recordUploaded(file.id, "u1");
    t.equal(stateOf(journal, file.id), "uploaded");
    t.equal(journal.lfs.getPlan(file.id), null, "the LFS plan is dropped once uploaded");

    clock.advance(10);
    t.equal(journal.files.oldestInState(jobId, "uploaded"), clock.ms - 10);
    t.equal(journal.files.oldestInState(jobId, "planned"), null);
    const commit = journal.commits.create(jobId, [file.id], "Upload");
    t.equal(stateOf(journal, file.id), "committing");
    t.equal(journal.files.get(file.id)?.commitId, commit.id);
    journal.commits.recordDone(commit.id, "f".repeat(40));
    t.equal(stateOf(journal, file.id), "committed");
    t.equal(journal.jobs.get(jobId)?.commitsMade, 1);
    t.equal(journal.jobs.counts(jobId).byState.committed.files, 1);
    checkCounts(t, journal, jobId);
  });

  t.test("plans can skip, ignore or send a regular file straight to uploaded", async (t) => {
    const { journal, jobId } = setup(t, factory);
    const files = addFiles(journal, jobId, 3);
    driveAll(journal, jobId, "hashed");
    journal.files.claim({ jobId, state: "hashed", limit: 10, leaseId: "p", leaseMs: LEASE });
    const next = ["skipped", "ignored", "uploaded"] as const;
    journal.stages.recordPlans(
      "p",
      files.map((f, i) => ({
        fileId: f.id,
        uploadMode: "regular" as const,
        remoteOid: null,
        next: next[i] ?? "uploaded",
      })),
    );
    t.same(
      files.map((f) => stateOf(journal, f.id)),
      ["skipped", "ignored", "uploaded"],
    );
    checkCounts(t, journal, jobId);
  });

  t.test(
    "leases: an expired lease is claimable again and the stale owner's results are ignored",
    async (t) => {
      const { journal, clock, jobId } = setup(t, factory);
      const [file] = addFiles(journal, jobId, 1);
      if (!file) throw new Error("setup");
      journal.files.claim({ jobId, state: "scanned", limit: 1, leaseId: "old", leaseMs: LEASE });
      clock.advance(LEASE - 1);
      t.same(journal.files.claim({ jobId, state: "scanned", limit: 1, leaseId: "new", leaseMs: LEASE }), []);
      clock.advance(1);
      t.equal(
        journal.files.claim({ jobId, state: "scanned", limit: 1, leaseId: "new", leaseMs: LEASE }).length,
        1,
      );
      t.equal(
        journal.stages.recordHashed(file.id, "old", file, file, hashesFor(9)),
        false,
        "stale owner refused",
      );
      journal.stages.recordStatChanged(file.id, "old", statOf(50));
      journal.stages.recordTransientFailure([file.id], "old", NET, clock.ms + 1000);
      journal.stages.recordPermanentFailure([file.id], "old", NET);
      journal.stages.recordVanished(file.id, "old");
      journal.files.releaseLease(file.id, "old");
      const unchanged = journal.files.get(file.id);
      t.equal(unchanged?.state, "scanned");
      t.equal(unchanged?.attempts, 0);
      t.equal(unchanged?.size, file.size);
      t.same(
        journal.files.claim({ jobId, state: "scanned", limit: 1, leaseId: "third", leaseMs: LEASE }),
        [],
        "still held",
      );
      t.equal(
        journal.stages.recordHashed(file.id, "new", file, file, hashesFor(9)),
        true,
        "the holder records",
      );
      journal.stages.recordPlans("old", [
        { fileId: file.id, uploadMode: "lfs", remoteOid: null, next: "planned" },
      ]);
      t.equal(stateOf(journal, file.id), "hashed", "a plan from a non-holder is ignored");

      t.equal(
        journal.files.claim({ jobId, state: "hashed", limit: 1, leaseId: "p", leaseMs: LEASE }).length,
        1,
      );
      t.equal(journal.files.releaseLeases("someone-else"), 0);
      t.equal(journal.files.releaseLeases("p"), 1);
      t.equal(
        journal.files.claim({ jobId, state: "hashed", limit: 1, leaseId: "q", leaseMs: LEASE }).length,
        1,
      );
      t.equal(journal.files.releaseLeases(), 1);
      journal.stages.recordPlans("q", [
        { fileId: file.id, uploadMode: "lfs", remoteOid: null, next: "planned" },
      ]);
      t.equal(stateOf(journal, file.id), "hashed", "a released lease no longer lets its holder record");
    },
  );

  t.test("recordHashedMany with the claimed stat (nearly every file) and a changed one mixed", async (t) => {
    const { journal, jobId } = setup(t, factory);
    const files = addFiles(journal, jobId, 5);
    const [a, b, c, d, e] = files;
    if (!a || !b || !c || !d || !e) throw new Error("setup");
    journal.files.claim({ jobId, state: "scanned", limit: 4, leaseId: "h", leaseMs: LEASE });
    const applied = journal.stages.recordHashedMany("h", [
      { fileId: a.id, expected: a, observed: statOf(0), hashes: hashesFor(0) }, // the same stat
      { fileId: b.id, expected: statOf(77), observed: statOf(77), hashes: hashesFor(1) }, // rescanned since
      { fileId: c.id, expected: c, observed: statOf(102, 3002), hashes: hashesFor(2) }, // grew while hashed
      { fileId: d.id, expected: d, observed: statOf(3), hashes: hashesFor(3) }, // the same stat
      { fileId: e.id, expected: e, observed: statOf(4), hashes: hashesFor(4) }, // never claimed
    ]);
    t.same(
      [...applied].sort((x, y) => x - y),
      [a.id, c.id, d.id],
      "the guards hold on both paths",
    );
    t.same(
      [a, c, d].map((f) => journal.files.get(f.id)?.sha256),
      [hashesFor(0).sha256, hashesFor(2).sha256, hashesFor(3).sha256],
      "each row gets its own hashes",
    );
    t.same(
      [a, c, d].map((f) => [journal.files.get(f.id)?.mtimeNs, journal.files.get(f.id)?.size]),
      [
        [statOf(0).mtimeNs, statOf(0).size],
        [statOf(102).mtimeNs, 3002],
        [statOf(3).mtimeNs, statOf(3).size],
      ],
      "the stat each was hashed with",
    );
    t.equal(journal.jobs.get(jobId)?.bytesHashed, statOf(0).size + 3002 + statOf(3).size, "bytes hashed");
    t.same(
      [b, e].map((f) => stateOf(journal, f.id)),
      ["scanned", "scanned"],
      "rows whose guard failed stay scanned",
    );
    checkCounts(t, journal, jobId);
    // A rescan with the same stats finds the hashed files unchanged (the stat index still matches).
    const generation = journal.scan.begin(jobId);
    const again = journal.scan.upsertFiles(jobId, generation, [
      { path: a.path, ...statOf(0) },
      { path: d.path, ...statOf(3) },
      { path: c.path, ...statOf(102, 3002) },
    ]);
    t.same([again.added, again.changed, again.unchanged], [0, 0, 3], "a rescan finds them unchanged");
    t.same(
      [a, c, d].map((f) => stateOf(journal, f.id)),
      ["hashed", "hashed", "hashed"],
      "and leaves them hashed",
    );
    checkCounts(t, journal, jobId);
  });

  t.test("recordHashedMany applies each row's guards in one statement; counters match", async (t) => {
    const { journal, jobId } = setup(t, factory);
    const files = addFiles(journal, jobId, 6);
    const [a, b, c, d, e, f] = files;
    if (!a || !b || !c || !d || !e || !f) throw new Error("setup");
    journal.files.claim({ jobId, state: "scanned", limit: 4, leaseId: "h", leaseMs: LEASE });
    journal.files.claim({ jobId, state: "scanned", limit: 1, leaseId: "other", leaseMs: LEASE });
    const row = (file: typeof a, seed: number, expected = statOf(seed === 0 ? 0 : seed)) => ({
      fileId: file.id,
      expected,
      observed: statOf(100 + seed, 2000 + seed),
      hashes: hashesFor(seed),
    });
    const applied = journal.stages.recordHashedMany("h", [
      row(a, 0, a),
      row(b, 1, statOf(77)), // the row's stat changed since the claim: not applied
      row(c, 2, c),
      row(e, 4, e), // leased by another holder: not applied
      row(f, 5, f), // never claimed: not applied
      row(d, 3, d),
    ]);
    t.same(
      [...applied].sort((x, y) => x - y),
      [a.id, c.id, d.id],
      "only rows whose guards hold",
    );
    for (const [file, seed] of [
      [a, 0],
      [c, 2],
      [d, 3],
    ] as const) {
      const got = journal.files.get(file.id);
      t.equal(got?.state, "hashed");
      t.equal(got?.sha256, hashesFor(seed).sha256, "each row gets its own hashes");
      t.equal(got?.mtimeNs, statOf(100 + seed).mtimeNs, "and the stat it was hashed with");
      t.equal(got?.size, 2000 + seed);
      t.equal(got?.hashCount, 1);
    }
    t.same(
      journal.files
        .claim({ jobId, state: "scanned", limit: 10, leaseId: "z", leaseMs: LEASE })
        .map((x) => x.id),
      [f.id],
      "rows not applied keep their leases (only the unclaimed one is claimable)",
    );
    t.equal(stateOf(journal, b.id), "scanned");
    t.equal(stateOf(journal, e.id), "scanned");
    t.equal(journal.jobs.get(jobId)?.bytesHashed, 2000 + 2002 + 2003, "bytes of the applied rows, new sizes");
    t.same(journal.stages.recordHashedMany("h", []), [], "an empty batch is a no-op");
    checkCounts(t, journal, jobId);

    // Plans and a commit of the batch, each one statement: counters still equal a recount.
    t.same(
      journal.files
        .claim({ jobId, state: "hashed", limit: 10, leaseId: "p", leaseMs: LEASE })
        .map((x) => x.id),
      [a.id, c.id, d.id],
      "applied rows were released: claimable at once",
    );
    journal.stages.recordPlans("p", [
      { fileId: a.id, uploadMode: "regular", remoteOid: null, next: "uploaded" },
      { fileId: c.id, uploadMode: "lfs", remoteOid: null, next: "planned" },
      { fileId: d.id, uploadMode: "regular", remoteOid: hashesFor(3).sha1, next: "skipped" },
    ]);
    t.same(
      [a, c, d].map((x) => [stateOf(journal, x.id), journal.files.get(x.id)?.uploadMode]),
      [
        ["uploaded", "regular"],
        ["planned", "lfs"],
        ["skipped", "regular"],
      ],
    );
    t.equal(journal.files.get(d.id)?.remoteOid, hashesFor(3).sha1);
    const commit = journal.commits.create(jobId, [a.id, b.id, c.id, a.id], "m");
    t.equal(commit.fileCount, 1, "only the uploaded file is attached");
    t.same(
      journal.commits.files(commit.id).map((x) => x.id),
      [a.id],
    );
    checkCounts(t, journal, jobId);
  });

  t.test("recordHashed applies only if the stat still equals the expected one", async (t) => {
    const { journal, jobId } = setup(t, factory);
    const [file] = addFiles(journal, jobId, 1);
    if (!file) throw new Error("setup");
    journal.files.claim({ jobId, state: "scanned", limit: 1, leaseId: "h", leaseMs: LEASE });
    t.equal(journal.stages.recordHashed(file.id, "h", statOf(99), file, hashesFor(1)), false);
    t.equal(journal.jobs.get(jobId)?.bytesHashed, 0, "nothing counted");
    journal.stages.recordStatChanged(file.id, "h", statOf(42));
    const changed = journal.files.get(file.id);
    t.equal(changed?.state, "scanned");
    t.equal(changed?.mtimeNs, statOf(42).mtimeNs);
    t.equal(
      journal.stages.recordHashed(file.id, "h", file, file, hashesFor(1)),
      false,
      "the lease was released",
    );
    const [again] = journal.files.claim({ jobId, state: "scanned", limit: 1, leaseId: "h2", leaseMs: LEASE });
    t.equal(
      journal.stages.recordHashed(file.id, "h2", file, file, hashesFor(1)),
      false,
      "old stat no longer matches",
    );
    t.ok(again && journal.stages.recordHashed(file.id, "h2", again, again, hashesFor(1)));
    t.equal(journal.files.get(file.id)?.hashCount, 1);
  });

  t.test(
    "transient failures wait for the clock; success resets attempts; retry makes them due",
    async (t) => {
      const { journal, clock, jobId } = setup(t, factory);
      const [file] = addFiles(journal, jobId, 1);
      if (!file) throw new Error("setup");
      driveAll(journal, jobId, "planned");
      journal.files.claim({ jobId, state: "planned", limit: 1, leaseId: "u", leaseMs: LEASE });
      journal.stages.recordTransientFailure([file.id], "u", NET, clock.ms + 5000);
      const waiting = journal.files.get(file.id);
      t.equal(waiting?.state, "planned");
      t.equal(waiting?.attempts, 1);
      t.equal(waiting?.nextAttemptAt, clock.ms + 5000);
      t.same(waiting?.lastError, NET);
      t.same(journal.jobs.get(jobId)?.lastError, { ...NET, at: clock.ms });
      t.equal(journal.jobs.counts(jobId).waiting, 1);
      checkCounts(t, journal, jobId);
      t.same(
        journal.files.claim({ jobId, state: "planned", limit: 1, leaseId: "u", leaseMs: LEASE }),
        [],
        "not yet due",
      );
      clock.advance(4999);
      t.same(journal.files.claim({ jobId, state: "planned", limit: 1, leaseId: "u", leaseMs: LEASE }), []);
      clock.advance(1);
      t.equal(
        journal.files.claim({ jobId, state: "planned", limit: 1, leaseId: "u", leaseMs: LEASE }).length,
        1,
      );
      journal.stages.recordTransientFailure([file.id], "u", NET, clock.ms + 60_000);
      t.equal(journal.files.get(file.id)?.attempts, 2);
      t.equal(journal.stages.retryFailed(jobId), 1, "a waiting retry becomes due now");
      t.equal(journal.files.get(file.id)?.nextAttemptAt, null);
      t.equal(journal.jobs.counts(jobId).waiting, 0);
      t.equal(
        journal.files.claim({ jobId, state: "planned", limit: 1, leaseId: "u", leaseMs: LEASE }).length,
        1,
      );
      journal.stages.recordUploaded(file.id, "u");
      const done = journal.files.get(file.id);
      t.equal(done?.state, "uploaded");
      t.equal(done?.attempts, 0, "success resets attempts");
      t.equal(done?.lastError, null);
      checkCounts(t, journal, jobId);
    },
  );

  t.test("permanent failure, vanished, retry and sendBackToHashing", async (t) => {
    const { journal, jobId } = setup(t, factory);
    const [a, b, c] = addFiles(journal, jobId, 3);
    if (!a || !b || !c) throw new Error("setup");
    driveAll(journal, jobId, "planned");
    const tooLarge = { code: "ERR_FILE_TOO_LARGE", message: "over 50 GB" };
    journal.stages.recordPermanentFailure([a.id], null, tooLarge);
    t.equal(stateOf(journal, a.id), "failed");
    t.same(journal.files.get(a.id)?.lastError, tooLarge);
    t.same(journal.jobs.get(jobId)?.lastError?.code, "ERR_FILE_TOO_LARGE");
    journal.stages.recordVanished(b.id, null);
    t.equal(stateOf(journal, b.id), "vanished");
    journal.lfs.savePlan(c.id, {
      oid: "o",
      size: 1,
      chunkSize: 1,
      completionUrl: "u",
      partUrls: ["p"],
      expiresAt: 5,
      verifyUrl: null,
      verifyHeader: null,
    });
    journal.stages.sendBackToHashing(c.id, null, { code: "ERR_FILE_CHANGED", message: "sha256 differs" });
    const back = journal.files.get(c.id);
    t.equal(back?.state, "scanned");
    t.equal(back?.sha256, null);
    t.equal(back?.uploadMode, null);
    t.equal(back?.lastError?.code, "ERR_FILE_CHANGED");
    t.equal(journal.lfs.getPlan(c.id), null, "the LFS plan is dropped");
    t.equal(journal.stages.retryFailed(jobId), 1);
    const retried = journal.files.get(a.id);
    t.equal(retried?.state, "scanned");
    t.equal(retried?.attempts, 0);
    t.equal(retried?.lastError, null);
    t.equal(stateOf(journal, b.id), "vanished", "retry does not bring back a vanished file");
    checkCounts(t, journal, jobId);
  });
}
