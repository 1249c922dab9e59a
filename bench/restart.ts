/**
 * W4: `hubpush upload` run again over a folder whose files are all committed already (what a
 * restart of the daemon or of the command does: rescan, compare stats, find nothing to do) against
 * a bare synchronous readdir + lstat walk of the same tree in Node (issue 16: target ≤ 3 × that
 * walk, and 0 bytes hashed). The async (promise API) walk is printed beside it.
 *
 * Rounds alternate walk and restart so that drift hits both; the median of each is compared. The
 * walks run inside this process (no start-up cost) while hubpush is a whole process, so the ratio
 * is also given without hubpush's start-up (`hubpush --version`, measured here).
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { prng } from "../test/helpers/folder-tree.js";
import { readAccessLog, summarize } from "./lib/access-log.js";
import type { BenchConfig } from "./lib/bench-config.js";
import { makeBenchDir } from "./lib/bench-dir.js";
import { summarizeProfiles } from "./lib/cpu-profile-summary.js";
import { startEmulatorProcess } from "./lib/emulator-process.js";
import { assertCompleted, runHubpushUpload } from "./lib/hubpush-cli.js";
import { makeTree } from "./lib/make-tree.js";
import { load, meets, ratioText, seconds, writeResult } from "./lib/results.js";
import { runNodeProcess } from "./lib/run-process.js";
import { statWalk, statWalkSync } from "./lib/stat-walk.js";

const TARGET = "≤ 3";

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
};

async function timed<T>(
  fn: () => Promise<T> | T,
): Promise<{ seconds: number; cpuSeconds: number; value: T }> {
  const t = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const value = await fn();
  const used = process.cpuUsage(cpu);
  return {
    seconds: Number(process.hrtime.bigint() - t) / 1e9,
    cpuSeconds: (used.user + used.system) / 1e6,
    value,
  };
}

export async function runW4(config: BenchConfig): Promise<void> {
  const dir = makeBenchDir(config.tmpRoot, "w4", config.keep);
  try {
    const folder = path.join(dir.root, "data");
    const sizes = prng(4);
    const t0 = Date.now();
    const tree = makeTree(folder, [
      {
        count: config.w4Files,
        size: () => 256 + Math.floor(sizes() * 1792),
        dirs: Math.ceil(config.w4Files / 100),
      },
    ]);
    console.log(`w4: ${tree.files} files written in ${seconds((Date.now() - t0) / 1000)}; first upload…`);
    const hub = await startEmulatorProcess({
      cli: config.cli,
      dataDir: path.join(dir.root, "hub"),
      accessLog: path.join(dir.root, "access.log"),
    });
    try {
      const upload = (cpuProfDir?: string, cli = config.cli) =>
        runHubpushUpload({
          cli,
          home: path.join(dir.root, "home"),
          folder,
          repo: "bench/w4",
          endpoint: hub.url,
          cpuProfDir,
        });
      const first = await upload();
      const firstStatus = assertCompleted(first, tree.files, "w4 first upload");
      console.log(`w4: first upload ${seconds(first.seconds)}, ${firstStatus.commits} commits`);

      const startup: number[] = [];
      for (let i = 0; i < 3; i++) {
        const v = await runNodeProcess({ args: [config.cli, "--version"], env: process.env });
        startup.push(v.seconds);
      }
      const loadBefore = load();
      const walks: number[] = [];
      const syncWalks: number[] = [];
      // CPU seconds beside wall seconds: on a loaded machine (other sessions' builds and tests) the
      // wall times measure the load as much as the work; CPU time much less so.
      const syncWalkCpu: number[] = [];
      const restartCpu: number[] = [];
      const restarts: Array<{ seconds: number; peakRssMb: number; bytesHashed: number; commits: number }> =
        [];
      const baselineRestarts: number[] = [];
      let requestsDuringRestarts: Record<string, number> = {};
      const profDir = config.cpuProf ? path.join(dir.root, "prof") : undefined;
      for (let round = 1; round <= config.w4Rounds; round++) {
        const walk = await timed(() => statWalk(folder));
        if (walk.value.files !== tree.files) throw new Error(`w4: the walk found ${walk.value.files} files`);
        const syncWalk = await timed(() => statWalkSync(folder));
        const linesBefore = readAccessLog(hub.accessLog).length;
        const last = round === config.w4Rounds;
        if (last && profDir) mkdirSync(profDir, { recursive: true });
        const run = await upload(last ? profDir : undefined);
        const status = assertCompleted(run, tree.files, `w4 restart ${round}`);
        requestsDuringRestarts = summarize(readAccessLog(hub.accessLog).slice(linesBefore)).byRoute;
        // After this build's requests were read: the older build's are not counted as its.
        if (config.baselineCli !== null) {
          const before = await upload(undefined, config.baselineCli);
          assertCompleted(before, tree.files, `w4 baseline-cli restart ${round}`);
          baselineRestarts.push(before.seconds);
          console.log(`w4: round ${round}: --baseline-cli restart ${seconds(before.seconds)}`);
        }
        walks.push(walk.seconds);
        syncWalks.push(syncWalk.seconds);
        syncWalkCpu.push(syncWalk.cpuSeconds);
        restartCpu.push(run.cpuSeconds);
        restarts.push({
          seconds: run.seconds,
          peakRssMb: run.peakRssMb,
          bytesHashed: status.bytesHashed - firstStatus.bytesHashed,
          commits: status.commits - firstStatus.commits,
        });
        console.log(
          `w4: round ${round}: walk ${seconds(walk.seconds)} (sync ${seconds(syncWalk.seconds)}, CPU ${seconds(syncWalk.cpuSeconds)}), hubpush restart ${seconds(run.seconds)} (CPU ${seconds(run.cpuSeconds)}), ${status.bytesHashed - firstStatus.bytesHashed} bytes hashed, ${status.commits - firstStatus.commits} new commits`,
        );
      }
      const loadAfter = load();
      const walk = median(walks);
      const syncWalk = median(syncWalks);
      const restart = median(restarts.map((r) => r.seconds));
      const start = Math.min(...startup);
      const ratio = restart / syncWalk;
      const bytesHashed = Math.max(...restarts.map((r) => r.bytesHashed));
      console.log(
        `w4: restart over ${tree.files} committed files: hubpush ${seconds(restart)} vs sync stat walk ${seconds(syncWalk)} → ratio ${ratioText(ratio, TARGET)}; bytes hashed ${bytesHashed} (target 0)`,
      );
      console.log(
        `w4: without hubpush's process start-up (${seconds(start)}): ${((restart - start) / syncWalk).toFixed(2)}; against the async walk (${seconds(walk)}): ${(restart / walk).toFixed(2)}`,
      );
      const cpuRatio = median(restartCpu) / median(syncWalkCpu);
      console.log(
        `w4: CPU (user + sys, all threads; the restart's sampled up to 0.1 s short): hubpush ${seconds(median(restartCpu))} vs sync walk ${seconds(median(syncWalkCpu))} → ${cpuRatio.toFixed(2)}`,
      );
      if (baselineRestarts.length > 0) {
        const b = median(baselineRestarts);
        console.log(
          `w4: --baseline-cli restart ${seconds(b)} → ratio ${(b / syncWalk).toFixed(2)} to the sync walk; this build is ${(b / restart).toFixed(2)}× faster`,
        );
      }
      console.log(`w4: requests during the last restart ${JSON.stringify(requestsDuringRestarts)}`);
      console.log(`w4: load average before ${loadBefore.join(" ")}, after ${loadAfter.join(" ")}`);
      const profiles = profDir ? summarizeProfiles(profDir, "w4") : undefined;
      writeResult("w4", config.cli, {
        files: tree.files,
        bytes: tree.bytes,
        firstUpload: { seconds: first.seconds, commits: firstStatus.commits },
        rounds: config.w4Rounds,
        restartSeconds: restarts.map((r) => r.seconds),
        ...(config.baselineCli !== null
          ? { baselineCli: config.baselineCli, baselineRestartSeconds: baselineRestarts }
          : {}),
        restartPeakRssMb: Math.max(...restarts.map((r) => r.peakRssMb)),
        statWalkSeconds: walks,
        statWalkSyncSeconds: syncWalks,
        cliStartupSeconds: start,
        bytesHashedByRestarts: bytesHashed,
        commitsByRestarts: Math.max(...restarts.map((r) => r.commits)),
        requestsDuringLastRestart: requestsDuringRestarts,
        ratio,
        ratioDefinition: "median hubpush restart (process wall time) / median synchronous readdir+lstat walk",
        ratioWithoutStartup: (restart - start) / syncWalk,
        ratioToAsyncWalk: restart / walk,
        restartCpuSeconds: restartCpu,
        statWalkSyncCpuSeconds: syncWalkCpu,
        cpuRatio,
        target: TARGET,
        met: meets(ratio, TARGET) && bytesHashed === 0,
        loadAverage: { before: loadBefore, after: loadAfter },
        ...(profiles ? { cpuProfiles: profiles } : {}),
      });
    } finally {
      await hub.close();
    }
  } finally {
    dir.remove();
  }
}
