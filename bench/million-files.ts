/**
 * W5: peak RSS (VmHWM of the hubpush process, worker threads included) of a job over
 * config.w5Files tiny files: the journal and the scheduler, not the bytes. Target ≤ 250 MB.
 *
 * The whole job cannot finish in a bench: the engine paces itself to the Hub's budgets (about
 * 1,000 API calls per 5 minutes, 100 commits per hour), so a million files need hours of
 * preupload and commit calls. The run goes until every file is scanned and hashed, then on for
 * --w5-after-hash-s while planning and committing proceed, then gets SIGINT (or ends on its own,
 * or at --w5-max-minutes). The journal's counts at the stop say exactly what was measured.
 * Baseline: the same command on a 10,000-file folder, run to the end, in the same bench.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import type { BenchConfig } from "./lib/bench-config.js";
import { assertFreeSpace, makeBenchDir } from "./lib/bench-dir.js";
import { startEmulatorProcess } from "./lib/emulator-process.js";
import { assertCompleted, runHubpushUpload } from "./lib/hubpush-cli.js";
import { JournalProbe, type StateCount } from "./lib/journal-probe.js";
import { makeTree } from "./lib/make-tree.js";
import { load, meets, seconds, writeResult } from "./lib/results.js";

const TARGET_MB = 250;
const BASELINE_FILES = 10_000;
const FILE_BYTES = 16;

function memKb(pid: number): { rss: number; hwm: number } {
  try {
    const s = readFileSync(`/proc/${pid}/status`, "utf8");
    return {
      rss: Number(s.match(/VmRSS:\s+(\d+)/)?.[1] ?? 0),
      hwm: Number(s.match(/VmHWM:\s+(\d+)/)?.[1] ?? 0),
    };
  } catch {
    return { rss: 0, hwm: 0 };
  }
}

interface Milestone {
  readonly at: string;
  readonly seconds: number;
  readonly rssMb: number;
  readonly peakRssMb: number;
  readonly counts: Record<string, number>;
}

export async function runW5(config: BenchConfig): Promise<void> {
  const n = config.w5Files;
  // A tiny file still takes a 4 KiB block and an inode; the journal ~0.5 KB per file.
  assertFreeSpace(config.tmpRoot, n * (4096 + 1024) * 1.2, n * 1.1, "w5");
  const dir = makeBenchDir(config.tmpRoot, "w5", config.keep);
  try {
    const t0 = Date.now();
    const folder = path.join(dir.root, "data");
    makeTree(folder, [{ count: n, size: () => FILE_BYTES, dirs: Math.ceil(n / 1000) }]);
    const baseFolder = path.join(dir.root, "base");
    makeTree(baseFolder, [{ count: BASELINE_FILES, size: () => FILE_BYTES, dirs: BASELINE_FILES / 1000 }]);
    console.log(
      `w5: ${n} + ${BASELINE_FILES} files of ${FILE_BYTES} bytes written in ${seconds((Date.now() - t0) / 1000)}`,
    );
    const hub = await startEmulatorProcess({
      cli: config.cli,
      dataDir: path.join(dir.root, "hub"),
      accessLog: path.join(dir.root, "access.log"),
    });
    try {
      const loadBefore = load();
      const base = await runHubpushUpload({
        cli: config.cli,
        home: path.join(dir.root, "home-base"),
        folder: baseFolder,
        repo: "bench/w5-base",
        endpoint: hub.url,
      });
      assertCompleted(base, BASELINE_FILES, "w5 baseline");
      console.log(
        `w5: baseline ${BASELINE_FILES} files: peak RSS ${base.peakRssMb.toFixed(0)} MB in ${seconds(base.seconds)}`,
      );

      const journalFile = path.join(dir.root, "home", "journal.sqlite");
      let probe: JournalProbe | null = null;
      let lastLook = 0;
      let hashedAllAt: number | null = null;
      const milestones: Milestone[] = [];
      const flat = (c: Record<string, StateCount>) =>
        Object.fromEntries(Object.entries(c).map(([k, v]) => [k, v.files]));
      const note = (at: string, ms: number, pid: number, counts: Record<string, StateCount>) => {
        const m = memKb(pid);
        const entry = {
          at,
          seconds: ms / 1000,
          rssMb: m.rss / 1024,
          peakRssMb: m.hwm / 1024,
          counts: flat(counts),
        };
        milestones.push(entry);
        console.log(
          `w5: ${at} at ${seconds(entry.seconds)}: RSS ${entry.rssMb.toFixed(0)} MB, peak ${entry.peakRssMb.toFixed(0)} MB, ${JSON.stringify(entry.counts)}`,
        );
      };
      let scanDone = false;
      const run = await runHubpushUpload({
        cli: config.cli,
        home: path.join(dir.root, "home"),
        folder,
        repo: "bench/w5",
        endpoint: hub.url,
        sampleMs: 250,
        onSample: (pid, ms) => {
          if (ms - lastLook < 2_000) return undefined;
          lastLook = ms;
          probe ??= JournalProbe.open(journalFile);
          if (probe === null) return undefined;
          const counts = probe.counts();
          const total = Object.values(counts).reduce((s, c) => s + c.files, 0);
          if (!scanDone && probe.job().lastScanAt !== null) {
            scanDone = true;
            note("scan finished", ms, pid, counts);
          }
          if (hashedAllAt === null && scanDone && total === n && (counts.scanned?.files ?? 0) === 0) {
            hashedAllAt = ms;
            note("every file hashed", ms, pid, counts);
          }
          if (Math.floor(ms / 60_000) > Math.floor((ms - 2_000) / 60_000)) note("minute", ms, pid, counts);
          const stop =
            (hashedAllAt !== null && ms - hashedAllAt >= config.w5AfterHashSeconds * 1000) ||
            ms >= config.w5MaxMinutes * 60_000;
          if (!stop) return undefined;
          note("stop (SIGINT)", ms, pid, counts);
          return "SIGINT";
        },
      });
      (probe as JournalProbe | null)?.close();
      const end = JournalProbe.open(journalFile);
      const finalCounts = end ? flat(end.counts()) : {};
      const job = end?.job();
      end?.close();
      const loadAfter = load();
      const peak = run.peakRssMb;
      const ratio = peak / base.peakRssMb;
      console.log(
        `w5: ${n} files: peak RSS ${peak.toFixed(0)} MB (target ≤ ${TARGET_MB} MB${peak <= TARGET_MB ? ", met" : ", NOT met"}); ` +
          `${BASELINE_FILES}-file baseline ${base.peakRssMb.toFixed(0)} MB → ratio ${ratio.toFixed(2)}; ran ${seconds(run.seconds)}, exit ${run.code ?? run.signal}`,
      );
      console.log(`w5: journal at the end: ${JSON.stringify(finalCounts)}, commits ${job?.commitsMade ?? 0}`);
      console.log(`w5: load average before ${loadBefore.join(" ")}, after ${loadAfter.join(" ")}`);
      writeResult("w5", config.cli, {
        files: n,
        fileBytes: FILE_BYTES,
        peakRssMb: peak,
        targetMb: TARGET_MB,
        met: meets(peak, `≤ ${TARGET_MB}`),
        baseline: { files: BASELINE_FILES, peakRssMb: base.peakRssMb, seconds: base.seconds },
        ratio,
        ratioDefinition: `peak RSS at ${n} files / peak RSS at ${BASELINE_FILES} files`,
        runSeconds: run.seconds,
        exit: run.code ?? run.signal,
        stoppedEarly: run.code !== 0,
        finalCounts,
        bytesHashed: job?.bytesHashed ?? 0,
        commits: job?.commitsMade ?? 0,
        milestones,
        loadAverage: { before: loadBefore, after: loadAfter },
      });
    } finally {
      await hub.close();
    }
  } finally {
    dir.remove();
  }
}
