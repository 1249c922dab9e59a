import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import Database from "better-sqlite3";
import t from "tap";
import { startEmulator } from "../../emulator/start-emulator.js";
import { FILE_STATES, type FileState } from "../../storage/journal.js";
import { openJournal } from "../../storage/sqlite-journal.js";
import { mixedFolder, readTree } from "../helpers/folder-tree.js";
import { listRemoteFiles } from "../helpers/remote-repo.js";
import { runCli, spawnCli } from "../helpers/run-cli.js";
import type { TapTest } from "../storage/contract/contract-helpers.js";
import { recountMatches } from "../storage/recount-files.js";

const TOKEN = "hf_counts_write";

/**
 * Issue 16 item 1 batches the journal's state transitions (hash results, plans and commit
 * attachments as multi-row statements, one transaction per batch). The counters the status view
 * reads (job_counts, kept by triggers, and jobs.bytes_hashed) must still equal a recount of the
 * files table: after a real job, and after a SIGKILL in the middle of one (hash results pending,
 * or a commit in flight) followed by a resume that re-hashes nothing it had recorded.
 */
type Moment = "hashing" | "committing";

/** The job's counters against a GROUP BY recount, and bytes_hashed against Σ size × hash_count. */
function countersMatchRecount(t: TapTest, journalPath: string, what: string): Record<FileState, number> {
  const journal = openJournal(journalPath);
  const raw = new Database(journalPath, { readonly: true });
  try {
    const job = journal.jobs.list()[0];
    if (job === undefined) throw new Error("no job in the journal");
    t.comment(`recount ${what}`);
    recountMatches(t, raw, job.id, journal.jobs.counts(job.id));
    const hashed = raw
      .prepare("SELECT TOTAL(size * hash_count) AS bytes FROM files WHERE job_id = ?")
      .get(job.id) as { bytes: number };
    t.equal(job.bytesHashed, hashed.bytes, `bytes_hashed equals Σ size × hash_count (${what})`);
    const counts = journal.jobs.counts(job.id).byState;
    return Object.fromEntries(FILE_STATES.map((s) => [s, counts[s].files])) as Record<FileState, number>;
  } finally {
    raw.close();
    journal.close();
  }
}

/** Polls the journal (read-only, as `status` would) until the moment to kill has come. */
async function waitForMoment(journalPath: string, moment: Moment, deadline: number): Promise<string> {
  let raw: Database.Database | null = null;
  try {
    while (Date.now() < deadline) {
      await sleep(15);
      try {
        raw ??= new Database(journalPath, { readonly: true, fileMustExist: true });
        const rows = raw.prepare("SELECT state, SUM(files) AS n FROM job_counts GROUP BY state").all() as {
          state: string;
          n: number;
        }[];
        const n = (s: string) => rows.find((r) => r.state === s)?.n ?? 0;
        const seen = rows.map((r) => `${r.state}=${r.n}`).join(" ");
        if (moment === "hashing" && n("hashed") > 0 && n("scanned") > 0) return seen;
        if (moment === "committing" && n("committing") > 0 && n("committed") > 0) return seen;
      } catch {
        // not created or not migrated yet
        raw?.close();
        raw = null;
      }
    }
    return "deadline";
  } finally {
    raw?.close();
  }
}

t.test("journal counters equal a recount after batched transitions, a SIGKILL and a resume", async (t) => {
  const root = mkdtempSync(path.join(tmpdir(), "hubpush-counts-"));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const emulator = await startEmulator({
    tokens: [`${TOKEN}:write:user`],
    // Slow commits: each kill lands while a batch is in flight, not after the job ended.
    faults: "route=commit,kind=latency,ms=400",
  });
  t.teardown(() => emulator.close());
  const tokenFile = path.join(root, "token");
  writeFileSync(tokenFile, `${TOKEN}\n`);

  for (const moment of ["hashing", "committing"] as const) {
    await t.test(`SIGKILL while ${moment}`, async (t) => {
      const home = path.join(root, `home-${moment}`);
      mkdirSync(home, { recursive: true });
      const folder = path.join(root, `data-${moment}`);
      // Enough small files for several hash batches (128) and commits (250, then 400 files).
      mixedFolder(folder, {
        small: 700,
        empty: 2,
        lfs: 1,
        lfsBytes: 150_000,
        multipart: 0,
        multipartBytes: 0,
      });
      const local = readTree(folder);
      const repoId = `user/counts-${moment}`;
      const args = [
        "upload",
        folder,
        "--repo",
        repoId,
        "--endpoint",
        emulator.url,
        "--token-file",
        tokenFile,
      ];
      const env = { HUBPUSH_HOME: home, NO_COLOR: "1" };
      const journalPath = path.join(home, "journal.sqlite");

      const child = spawnCli([...args, "--transfer", "lfs"], { env });
      child.stdout?.resume();
      child.stderr?.resume();
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_c, s) => resolve(s)));
      const seen = await waitForMoment(journalPath, moment, Date.now() + 90_000);
      child.kill("SIGKILL");
      t.equal(await exited, "SIGKILL", `killed mid-run (${seen})`);
      const atKill = countersMatchRecount(t, journalPath, `after the SIGKILL while ${moment}`);
      t.ok(atKill.committed < local.size, `the kill left work to resume (${atKill.committed} committed)`);

      const second = await runCli([...args, "--transfer", "lfs"], { env, timeoutMs: 180_000 });
      t.equal(second.code, 0, `the resumed run completes\n${second.stderr}`);
      const done = countersMatchRecount(t, journalPath, "after the resume");
      t.equal(done.committed, local.size, "every file is committed");

      const remote = await listRemoteFiles({ endpoint: emulator.url, id: repoId, token: TOKEN });
      t.same(
        [...local.keys()].filter((p) => remote.get(p)?.size !== local.get(p)?.length),
        [],
        "every file is in the repo with its size",
      );
      const journal = openJournal(journalPath);
      try {
        const job = journal.jobs.list()[0];
        const rehashed = journal.files.list(job?.id ?? 0).filter((f) => f.hashCount !== 1);
        t.same(
          rehashed.map((f) => `${f.path} ×${f.hashCount}`),
          [],
          "every file was hashed once: no recorded hash was redone",
        );
        t.same(journal.integrityCheck(), ["ok"]);
      } finally {
        journal.close();
      }
    });
  }
});
