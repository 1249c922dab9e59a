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
    // A second connection, as another process: its upserts are not tracked by the first one's scan.
    const other: Journal = openJournal(path, { now: clock.now });
    t.teardown(() => {
      raw.close();
      other.close();
      journal.close();
    });
    const jobs = [
      journal.jobs.upsert(specFor("/one"), OPTIONS).job.id,
      journal.jobs.upsert(specFor("/two"), OPTIONS).job.id,
    ];

    const operations: Record<string, (jobId: number) => void> = {
      scan(jobId) {
        const generation = journal.scan.begin(jobId);
        const files = Array.from({ length: 1 + int(40) }, () => fileAt(`p${int(300)}`, int(4), 100 + int(5)));
        // Batched as scan-job.ts does, some batches through the other connection.
        for (let at = 0; at < files.length; at += 8) {
          const writer = random() < 0.2 ? other : journal;
          writer.scan.upsertFiles(jobId, generation, files.slice(at, at + 8));
        }
        if (random() < 0.3) {
          journal.scan.finish(jobId, generation, { mirrorDeletions: random() < 0.3 });
          // Whatever the scan saw was not vanished by it (unseen rows only).
          const seen = new Set(files.map((f) => f.path));
          const wrong = journal.files
            .list(jobId, { state: "vanished", limit: 1000 })
            .filter((f) => seen.has(f.path));
          if (wrong.length > 0) t.fail(`seen files vanished: ${wrong.map((f) => f.path).join(", ")}`);
        }
      },
      work(jobId) {
        const state = pick(STATES) ?? "scanned";
        const owner = `w${int(3)}`;
        const claimed = journal.files.claim({
          jobId,
          state,
          limit: 1 + int(10),
          leaseId: owner,
          leaseMs: 1000 + int(5000),
        });
        for (const file of claimed) {
          const roll = random();
          if (roll < 0.1) journal.stages.recordTransientFailure([file.id], owner, ERR, clock.ms + int(3000));
          else if (roll < 0.15) journal.stages.recordPermanentFailure([file.id], owner, ERR);
          else if (roll < 0.18) journal.stages.recordVanished(file.id, owner);
          else if (roll < 0.21) journal.stages.sendBackToHashing(file.id, owner, ERR);
          else if (roll < 0.25) journal.files.releaseLease(file.id, owner);
          else if (state === "scanned" && roll < 0.3)
            journal.stages.recordStatChanged(file.id, owner, fileAt("", int(9), 77));
          else if (state === "scanned")
            journal.stages.recordHashed(file.id, owner, file, file, hashesFor(file.id));
          else if (state === "hashed") {
            const next = pick(["planned", "uploaded", "skipped", "ignored"] as const) ?? "planned";
            journal.stages.recordPlans(owner, [
              { fileId: file.id, uploadMode: "lfs", remoteOid: null, next },
            ]);
          } else if (state === "planned") journal.stages.recordUploaded(file.id, owner);
        }
      },
      commit(jobId) {
        const ready = journal.files.list(jobId, { state: "uploaded", limit: 1 + int(20) }).map((f) => f.id);
        if (ready.length > 0) journal.commits.create(jobId, ready, "m");
      },
      settle(jobId) {
        const commit = pick(journal.commits.listUnsettled(jobId));
        if (commit === undefined) return;
        const roll = random();
        if (roll < 0.4) journal.commits.recordDone(commit.id, "c".repeat(40));
        else if (roll < 0.6) journal.commits.recordFailed(commit.id, ERR);
        else if (roll < 0.8) journal.commits.markUnknown(commit.id, ERR);
        else {
          const files = journal.commits.files(commit.id).filter(() => random() < 0.5);
          journal.commits.reconcile(
            commit.id,
            files.map((f) => f.id),
          );
        }
      },
      retry(jobId) {
        if (random() < 0.3) journal.stages.retryFailed(jobId);
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
      const { byState } = journal.jobs.counts(jobId);
      for (const [state, count] of Object.entries(byState)) if (count.files > 0) reached.add(state);
      if (step % 1000 === 0) {
        for (const jobId of jobs) recountMatches(t, raw, jobId, journal.jobs.counts(jobId));
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
