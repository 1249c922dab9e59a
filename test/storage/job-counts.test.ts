import { join } from "node:path";
import Database from "better-sqlite3";
import t from "tap";
import type { FileState, Journal } from "../../storage/journal.js";
import { openJournal } from "../../storage/sqlite-journal.js";
import { prng } from "../helpers/folder-tree.js";
import { fileAt, hashesFor, ManualClock, OPTIONS, specFor } from "./contract/contract-helpers.js";
import { recountMatches } from "./recount-files.js";

const SEED = Number(process.env.HUBPUSH_TEST_SEED ?? Date.now() % 1_000_000_007);
const STATES: FileState[] = ["scanned", "hashed", "planned", "uploaded"];
const ERR = { code: "ERR_HUB_SERVER", message: "502" };

t.test(
  "counters maintained by triggers equal a full recount after thousands of random operations",
  async (t) => {
    t.comment(`seed ${SEED} (rerun with HUBPUSH_TEST_SEED=${SEED})`);
    const random = prng(SEED);
    const pick = <T>(items: readonly T[]): T | undefined => items[Math.floor(random() * items.length)];
    const int = (n: number) => Math.floor(random() * n);
    const path = join(t.testdir(), "journal.db");
    const clock = new ManualClock();
    const journal: Journal = openJournal(path, { now: clock.now });
    const raw = new Database(path, { readonly: true });
    t.teardown(() => {
      raw.close();
      journal.close();
    });
    const jobs = [
      journal.upsertJob(specFor("/one"), OPTIONS).job.id,
      journal.upsertJob(specFor("/two"), OPTIONS).job.id,
    ];

    const operations: Record<string, (jobId: number) => void> = {
      scan(jobId) {
        const generation = journal.beginScan(jobId);
        const files = Array.from({ length: 1 + int(40) }, () => fileAt(`p${int(300)}`, int(4), 100 + int(5)));
        journal.upsertScannedFiles(jobId, generation, files);
        if (random() < 0.3) journal.finishScan(jobId, generation);
      },
      work(jobId) {
        const state = pick(STATES) ?? "scanned";
        const owner = `w${int(3)}`;
        const claimed = journal.claimFiles({
          jobId,
          state,
          limit: 1 + int(10),
          owner,
          leaseMs: 1000 + int(5000),
        });
        for (const file of claimed) {
          const roll = random();
          if (roll < 0.1) journal.recordTransientFailure([file.id], owner, ERR, clock.ms + int(3000));
          else if (roll < 0.15) journal.recordPermanentFailure([file.id], owner, ERR);
          else if (roll < 0.18) journal.recordVanished(file.id, owner);
          else if (roll < 0.21) journal.sendBackToHashing(file.id, owner, ERR);
          else if (roll < 0.25) journal.releaseLease(file.id, owner);
          else if (state === "scanned" && roll < 0.3)
            journal.recordStatChanged(file.id, owner, fileAt("", int(9), 77));
          else if (state === "scanned") journal.recordHashed(file.id, owner, file, file, hashesFor(file.id));
          else if (state === "hashed") {
            const next = pick(["planned", "uploaded", "skipped", "ignored"] as const) ?? "planned";
            journal.recordPlans(owner, [{ fileId: file.id, uploadMode: "lfs", remoteOid: null, next }]);
          } else if (state === "planned") journal.recordUploaded(file.id, owner);
        }
      },
      commit(jobId) {
        const ready = journal.listFiles(jobId, { state: "uploaded", limit: 1 + int(20) }).map((f) => f.id);
        if (ready.length > 0) journal.createCommit(jobId, ready, "m");
      },
      settle(jobId) {
        const commit = pick(journal.listUnsettledCommits(jobId));
        if (commit === undefined) return;
        const roll = random();
        if (roll < 0.4) journal.recordCommitDone(commit.id, "c".repeat(40));
        else if (roll < 0.6) journal.recordCommitFailed(commit.id, ERR);
        else if (roll < 0.8) journal.markCommitUnknown(commit.id, ERR);
        else {
          const files = journal.getCommitFiles(commit.id).filter(() => random() < 0.5);
          journal.reconcileCommit(
            commit.id,
            files.map((f) => f.id),
          );
        }
      },
      retry(jobId) {
        if (random() < 0.3) journal.retryFailedFiles(jobId);
      },
      tick() {
        clock.advance(int(2000));
      },
    };
    const names = Object.keys(operations);
    const applied: Record<string, number> = {};
    const reached = new Set<string>();
    for (let step = 1; step <= 3000; step++) {
      const name = pick(names) ?? "tick";
      applied[name] = (applied[name] ?? 0) + 1;
      const jobId = pick(jobs) ?? 1;
      operations[name]?.(jobId);
      const { byState } = journal.getJobCounts(jobId);
      for (const [state, count] of Object.entries(byState)) if (count.files > 0) reached.add(state);
      if (step % 1000 === 0) {
        for (const jobId of jobs) recountMatches(t, raw, jobId, journal.getJobCounts(jobId));
      }
    }
    t.comment(`operations: ${JSON.stringify(applied)}`);
    const negative = raw.prepare(
      "SELECT COUNT(*) FROM job_counts WHERE files < 0 OR bytes < 0 OR waiting < 0",
    );
    t.equal(negative.pluck().get(), 0, "no counter ever goes negative");
    t.ok(reached.size >= 8, `the run went through many states (${[...reached].join(", ")})`);
    t.same(journal.integrityCheck(), ["ok"]);
  },
);
