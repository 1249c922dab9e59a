import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { XORB_STREAMS } from "../../core/xet/upload-xet-file.js";
import { startEmulator } from "../../emulator/start-emulator.js";
import { openJournal } from "../../storage/sqlite-journal.js";
import { shardsPerXetFile } from "../chaos/xet-shards.js";
import { prng } from "../helpers/folder-tree.js";
import { noise } from "../helpers/noise.js";
import { downloadRemoteFile } from "../helpers/remote-repo.js";
import { runCli, spawnCli } from "../helpers/run-cli.js";
import { accessLines, FILES, type Moment, planMoment, xetStates, xorbPosts } from "./xet-kill-moments.js";

const MiB = 1024 * 1024;
const TOKEN = "hf_xet_kill";
/** Files uploading at once (`--workers`): with XORB_STREAMS, the bound on xorbs sent twice. */
export const WORKERS = 2;

/**
 * How many distinct shards the emulator's CAS registered per file (its durable store, so a shard
 * the emulator registered after the killed client had gone counts too), by the Xet file hash the
 * journal recorded for each path.
 */
function registeredShards(emulatorDir: string, journalPath: string): Map<string, number> {
  const perFile = shardsPerXetFile(emulatorDir);
  const journal = new Database(journalPath, { readonly: true, fileMustExist: true });
  try {
    const rows = journal
      .prepare("SELECT f.path, x.xet_hash AS xetHash FROM xet_files x JOIN files f ON f.id = x.file_id")
      .all() as Array<{ path: string; xetHash: string | null }>;
    return new Map(rows.map((r) => [r.path, perFile.get(r.xetHash ?? "")?.length ?? 0]));
  } finally {
    journal.close();
  }
}

export interface XetKillVerdict {
  readonly seed: number;
  readonly title: string;
  readonly signal: NodeJS.Signals | null;
  readonly hit: boolean;
  readonly storedAtKill: number;
  /** POSTs after the kill of xorbs the journal recorded as stored before it (must be empty). */
  readonly resentStored: string[];
  /** Xorbs answered 200 more than once, and how often beyond the first. */
  readonly sentTwice: number;
  readonly streams: number;
  /** Files registered by no shard or by shards of different bytes ("path: n shards"). */
  readonly shardConflicts: string[];
  readonly shardsRegistered: number;
  readonly secondCode: number | null;
  readonly secondStderr: string;
  readonly identical: string[];
  readonly different: string[];
  readonly integrity: string[];
  readonly xetStates: string[];
  readonly totalBytes: number;
  readonly wallMs: number;
}

/**
 * One SIGKILL of `hubpush upload --transfer xet` over 300 MiB (3 files of seeded sizes, noise so
 * every byte goes into xorbs) at a seeded point of `moment`, then a second `upload` run, then the
 * figures the test asserts on. HUBPUSH_TEST_SEED replays a seed.
 */
export async function runXetKill(moment: Moment, seed: number): Promise<XetKillVerdict> {
  const started = Date.now();
  const random = prng(seed);
  const plan = planMoment(moment, random);
  const root = mkdtempSync(path.join(tmpdir(), `hubpush-xet-kill-${moment}-`));
  try {
    const folder = path.join(root, "data");
    const home = path.join(root, "home");
    mkdirSync(folder, { recursive: true });
    const accessLog = path.join(root, "access.log");
    const journalPath = path.join(home, "journal.sqlite");
    const emulator = await startEmulator({
      tokens: [`${TOKEN}:write:user`],
      accessLog,
      lfsThresholdBytes: 0,
      faults: plan.faults,
    });
    try {
      // 300 MiB in three files of seeded sizes.
      const cut1 = Math.floor((80 + random() * 40) * MiB);
      const cut2 = Math.floor((180 + random() * 40) * MiB) + 7;
      const sizes = [cut1, cut2 - cut1, 300 * MiB - cut2];
      const digests = new Map<string, string>();
      sizes.forEach((size, i) => {
        const bytes = noise(size, seed * 10 + i);
        writeFileSync(path.join(folder, `part-${i}.bin`), bytes);
        digests.set(`part-${i}.bin`, createHash("sha256").update(bytes).digest("hex"));
      });
      const repoId = `user/xet-kill-${moment}`;
      const tokenFile = path.join(root, "token");
      writeFileSync(tokenFile, `${TOKEN}\n`);
      const args = [
        "upload",
        folder,
        "--repo",
        repoId,
        "--endpoint",
        emulator.url,
        "--token-file",
        tokenFile,
        "--transfer",
        "xet",
        "--workers",
        String(WORKERS),
      ];
      const env = { HUBPUSH_HOME: home, NO_COLOR: "1" };

      const child = spawnCli(args, { env });
      child.stdout?.resume();
      child.stderr?.resume();
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_c, s) => resolve(s)));
      const giveUp = Date.now() + 240_000;
      while (
        child.exitCode === null &&
        !plan.reached(accessLines(accessLog), xetStates(journalPath)) &&
        Date.now() < giveUp
      ) {
        await new Promise((r) => setTimeout(r, 25));
      }
      await new Promise((r) => setTimeout(r, plan.jitterMs));
      child.kill("SIGKILL");
      const signal = await exited;
      const atKill = accessLines(accessLog);
      const mark = atKill.length;
      const statesAtKill = xetStates(journalPath);

      const journal = openJournal(journalPath);
      const stored = new Set<string>();
      try {
        for (const l of xorbPosts(atKill)) {
          if (l.oid !== null && journal.xet.getXorb(emulator.url, l.oid)?.state === "uploaded")
            stored.add(l.oid);
        }
      } finally {
        journal.close();
      }

      // The resume sees no more latency: what is tested is what the kill left behind.
      emulator.setFaults("");
      const second = await runCli(args, { env, timeoutMs: 240_000 });
      const log = accessLines(accessLog);
      const resentStored = log
        .slice(mark)
        .filter((l) => l.route === "xet-xorb" && l.method === "POST" && l.oid !== null && stored.has(l.oid))
        .map((l) => l.oid ?? "");
      const perXorb = new Map<string, number>();
      for (const l of xorbPosts(log)) perXorb.set(l.oid ?? "", (perXorb.get(l.oid ?? "") ?? 0) + 1);
      const sentTwice = [...perXorb.values()].reduce((sum, n) => sum + n - 1, 0);

      const shardsPerFile = registeredShards(emulator.dataDir, journalPath);
      const shardConflicts = [...shardsPerFile]
        .filter(([, n]) => n !== 1)
        .map(([f, n]) => `${f}: ${n} shards`);

      const identical: string[] = [];
      const different: string[] = [];
      if (second.code === 0) {
        const repo = { endpoint: emulator.url, id: repoId, token: TOKEN };
        for (const [name, digest] of digests) {
          const got = createHash("sha256")
            .update(await downloadRemoteFile(repo, name))
            .digest("hex");
          (got === digest ? identical : different).push(name);
        }
      }
      const after = openJournal(journalPath);
      let integrity: string[];
      let states: string[];
      try {
        integrity = after.integrityCheck();
        const job = after.jobs.list()[0];
        states = after.files
          .list(job?.id ?? 0)
          .map((f) => after.xet.getFile(f.id, f.sha256 ?? "")?.state ?? "none");
      } finally {
        after.close();
      }
      return {
        seed,
        title: plan.title,
        signal,
        hit: plan.hit(atKill, statesAtKill),
        storedAtKill: stored.size,
        resentStored,
        sentTwice,
        streams: XORB_STREAMS * Math.min(WORKERS, FILES),
        shardConflicts,
        shardsRegistered: [...shardsPerFile.values()].filter((n) => n > 0).length,
        secondCode: second.code,
        secondStderr: second.stderr,
        identical,
        different,
        integrity,
        xetStates: states,
        totalBytes: sizes.reduce((a, b) => a + b, 0),
        wallMs: Date.now() - started,
      };
    } finally {
      await emulator.close();
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** The seed of this run: HUBPUSH_TEST_SEED replays one, else a fresh one. */
export function testSeed(): number {
  const given = process.env.HUBPUSH_TEST_SEED;
  return given === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(given);
}
