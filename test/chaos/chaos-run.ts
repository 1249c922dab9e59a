import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { JobStatusJson } from "../../daemon/job-status-json.js";
import { startEmulator } from "../../emulator/start-emulator.js";
import { makeDaemonHome, WRITE_TOKEN, waitForJob } from "../daemon/fixtures/daemon-home.js";
import { type AccessTally, tallyAccessLog } from "./access-tally.js";
import { ChaosDaemon } from "./chaos-daemon.js";
import {
  type ChaosScale,
  EMULATOR_LIMITS,
  FAULT_SPEC,
  type FileClass,
  type Modification,
  planChaos,
} from "./chaos-plan.js";
import type { ChaosReport } from "./chaos-report.js";
import { type Check, noneOf } from "./check.js";
import { scanDaemonLog } from "./daemon-log.js";
import { auditJournal } from "./journal-audit.js";
import { seededBytes, seededText } from "./seeded-bytes.js";
import { verifyRepo } from "./verify-repo.js";
import { VersionBook } from "./version-book.js";
import { shardConflicts } from "./xet-shards.js";

export interface ChaosOptions {
  /** Drives the layout, the modifications, the kill moments and the emulator's fault seed. */
  readonly seed: number;
  /** SIGKILLs of the daemon before it is left to finish. */
  readonly kills: number;
  /** short: ~110 files, ~14 MiB (npm test); long: ~3,000 files, ~55 MiB (npm run chaos). */
  readonly scale: ChaosScale;
  /** Give the daemons short retry waits through HUBPUSH_TUNING (default true). */
  readonly fastBackoff?: boolean;
  /** How long the last daemon (no kills, faults on) may take to finish the job (default 5 min). */
  readonly finishDeadlineMs?: number;
  /** Progress lines. */
  readonly log?: (line: string) => void;
  /** Leave the temp folder (journal, logs, emulator data) for inspection. */
  readonly keep?: boolean;
  /** `--transfer` of the job: big files go through the Xet CAS or through LFS (default xet). */
  readonly transfer?: "xet" | "lfs";
}

/** Short waits for tests: the loops are the real ones, only the pauses between attempts shrink. */
export const FAST_TUNING = JSON.stringify({
  backoffBaseMs: 100,
  backoffCapMs: 2000,
  flushIntervalMs: 2000,
  idlePollMs: 200,
});

function contentOf(seed: number, rel: string, cls: FileClass, size: number, version: number): Buffer {
  const label = `chaos ${seed} ${rel} #${version}`;
  return cls === "lfs" || cls === "multipart" ? seededBytes(label, size) : seededText(label, size);
}

/** What the job was doing when a kill landed. */
function phaseOf(job: JobStatusJson | null): string {
  if (job === null) return "no answer";
  if (job.state !== "active") return `job ${job.state}`;
  const f = job.files;
  if (f.committing.files > 0) return "commit in flight";
  if (f.planned.files > 0) return "LFS upload";
  if (f.hashed.files > 0) return "plan";
  if (f.scanned.files > 0) return "hash";
  return f.uploaded.files > 0 ? "waiting to commit" : "scan";
}

/**
 * One chaos run: a mixed folder uploaded through real daemons that are SIGKILLed at seeded moments
 * while files change and the emulator injects faults; then a last daemon finishes the job and the
 * repo, its history and the journal are checked. Returns the report; throws only when the run
 * itself cannot go on (a daemon that never answers, a job that never finishes).
 */
/** The transfer the job was given is the one used; with Xet, no file registered by two different shards. */
function transferChecks(transfer: "xet" | "lfs", access: AccessTally, emulatorDir: string): Check[] {
  if (transfer === "lfs") {
    return [
      {
        name: "--transfer lfs: big files went through LFS, nothing to the Xet CAS",
        ok: access.lfsUploads > 0 && access.xorbsStored === 0,
        detail: `${access.lfsUploads} LFS PUTs and parts stored, ${access.xorbsStored} xorbs`,
      },
    ];
  }
  return [
    {
      name: "--transfer xet: big files went through the Xet CAS, nothing through LFS PUTs",
      ok: access.xorbsStored > 0 && access.lfsUploads === 0,
      detail: `${access.xorbsStored} xorb POSTs stored, ${access.lfsUploads} LFS PUTs and parts`,
    },
    noneOf("no Xet file registered by two shards of different content", shardConflicts(emulatorDir)),
  ];
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const { seed, kills, scale } = options;
  const transfer = options.transfer ?? "xet";
  const log = options.log ?? (() => {});
  const started = Date.now();
  const plan = planChaos(seed, kills, scale);
  const h = makeDaemonHome();
  const accessLog = path.join(h.root, "access.log");
  const emulator = await startEmulator({
    tokens: [`${WRITE_TOKEN}:write:user`],
    accessLog,
    dataDir: path.join(h.root, "hub"),
    faults: FAULT_SPEC,
    seed: plan.emulatorSeed,
    ...EMULATOR_LIMITS,
  });
  const tuning = options.fastBackoff === false ? null : FAST_TUNING;
  const daemon = new ChaosDaemon(h, { HF_TOKEN: WRITE_TOKEN, ...(tuning ? { HUBPUSH_TUNING: tuning } : {}) });
  try {
    const book = new VersionBook(path.join(h.root, "data"), path.join(h.root, "staging"));
    for (const f of plan.files) book.write(f.rel, contentOf(seed, f.rel, f.cls, f.size, 0), "create");
    const repoId = `user/chaos-${seed}`;
    const addArgs = [
      "add",
      book.folder,
      "--repo",
      repoId,
      "--endpoint",
      emulator.url,
      "--transfer",
      transfer,
    ];
    const getJob = async (id: number): Promise<JobStatusJson | null> =>
      h.client
        .request<{ job: JobStatusJson }>("GET", `/v1/jobs/get?id=${id}`)
        .then((a) => a.job)
        .catch(() => null);

    // A finished job is not rescanned at start-up nor when a file changes (no watch mode): add it
    // again, as a user would after editing the folder.
    const addAgainIfDone = async (id: number): Promise<void> => {
      if ((await getJob(id))?.state !== "done") return;
      await h.client
        .request("POST", "/v1/jobs/add", {
          folder: book.folder,
          repo: repoId,
          endpoint: emulator.url,
          transfer,
        })
        .catch(() => {});
    };
    let jobId: number | null = null;
    const killsByPhase: Record<string, number> = {};
    let delivered = 0;
    const modified = { inPlace: 0, atomic: 0, files: new Set<string>() };
    for (const [i, cycle] of plan.cycles.entries()) {
      await daemon.launch(cycle.launch);
      if (!cycle.earlyKill) {
        await daemon.ready();
        if (jobId === null) {
          const added = await h.cli(addArgs);
          jobId = Number(added.stdout.trim());
          if (added.code !== 0 || !Number.isSafeInteger(jobId)) {
            throw new Error(`hubpush add failed (${added.code}): ${added.stdout}${added.stderr}`);
          }
        } else {
          await addAgainIfDone(jobId);
        }
      }
      const apply = async (m: Modification): Promise<void> => {
        book.write(m.rel, contentOf(seed, m.rel, m.cls, m.size, book.versionCount(m.rel)), m.mode);
        modified[m.mode === "in-place" ? "inPlace" : "atomic"] += 1;
        modified.files.add(m.rel);
        if (jobId !== null && !cycle.earlyKill) await addAgainIfDone(jobId);
      };
      let phase: string;
      if (cycle.target !== null && jobId !== null) {
        const id = jobId;
        for (const m of cycle.modifications) await apply(m);
        const giveUpAt = Date.now() + 2 * cycle.delayMs;
        do {
          await sleep(20);
          phase = phaseOf(await getJob(id));
        } while (phase !== cycle.target && Date.now() < giveUpAt);
      } else {
        let waited = 0;
        for (const m of cycle.modifications) {
          const at = Math.round(m.atFraction * cycle.delayMs);
          await sleep(at - waited);
          waited = at;
          await apply(m);
        }
        await sleep(cycle.delayMs - waited);
        phase = cycle.earlyKill || jobId === null ? "start-up" : phaseOf(await getJob(jobId));
      }
      killsByPhase[phase] = (killsByPhase[phase] ?? 0) + 1;
      if (await daemon.kill()) delivered += 1;
      log(
        `kill ${i + 1}/${kills}: daemon ${cycle.launch}, ${cycle.target === null ? `after ${cycle.delayMs} ms` : `aimed at ${cycle.target}`}, during ${phase}`,
      );
    }
    if (jobId === null) throw new Error("the job was never added");

    const chaosEnded = Date.now();
    await daemon.launch("start");
    const again = await h.cli(addArgs);
    if (again.code !== 0) throw new Error(`hubpush add failed (${again.code}): ${again.stderr}`);
    const job = await waitForJob(h.client, jobId, ["done", "blocked"], options.finishDeadlineMs ?? 300_000);
    const finishMs = Date.now() - chaosEnded;
    log(`job ${job.state} ${finishMs} ms after the last kill`);
    await daemon.stop();

    // Verification reads the repo over HTTP: no more faults from here on.
    emulator.setFaults("");
    const access = tallyAccessLog(accessLog);
    const checks: Check[] = [
      {
        name: "the job finished (done, not blocked)",
        ok: job.state === "done",
        detail: job.blocked ? `${job.blocked.code}: ${job.blocked.message}` : job.state,
      },
    ];
    const repo = await verifyRepo({ endpoint: emulator.url, id: repoId, token: WRITE_TOKEN }, book);
    const journal = auditJournal(h.paths.journal, jobId, book);
    const daemonLog = scanDaemonLog(h.paths.logFile);
    const remote = new Set(repo.commitIds);
    const lostAnswers = repo.commitIds.filter((id) => !journal.answeredOids.includes(id)).length;
    checks.push(
      ...repo.checks,
      ...journal.checks,
      daemonLog.check,
      noneOf(
        "every commit the journal recorded is on main, once",
        journal.answeredOids.filter((oid, i, all) => !remote.has(oid) || all.indexOf(oid) !== i),
      ),
      {
        name: "each commit whose answer was lost was settled by one reconciliation (nothing re-sent)",
        ok: lostAnswers <= journal.reconciled,
        detail: `${lostAnswers} commits on main without a recorded answer, ${journal.reconciled} batches reconciled`,
      },
      ...transferChecks(transfer, access, emulator.dataDir),
    );
    return {
      seed,
      scale,
      transfer,
      kills: delivered,
      plannedKills: plan.cycles.length,
      killsByPhase,
      launches: { ...daemon.launches },
      modifications: { inPlace: modified.inPlace, atomic: modified.atomic, files: modified.files.size },
      durationMs: Date.now() - started,
      chaosMs: chaosEnded - started,
      finishMs,
      access,
      commits: {
        remote: repo.commitIds.length,
        answered: journal.answeredOids.length,
        reconciled: journal.reconciled,
        batches: journal.batches,
      },
      hashing: journal.hashing,
      daemonErrors: daemonLog.errors,
      tuning,
      checks,
      kept: options.keep ? h.root : null,
    };
  } catch (err) {
    // The seed goes with the error, so the run can be replayed from the failure message alone.
    throw new Error(`chaos seed ${seed}: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  } finally {
    await daemon.kill();
    await emulator.close();
    if (options.keep) await h.client.close();
    else await h.cleanup();
  }
}
