/**
 * W6: a W1-like folder (config.w6Files small files + 3 LFS files of 20 MiB and a 80 MiB multipart
 * one) uploaded by `hubpush upload` once through a clean emulator and once through an emulator
 * that fails a fraction of every request (default 5 %: 500, 503, 429 with Retry-After: 1, and
 * connection resets, a quarter each, over all routes; --w6-kinds picks a subset, to tell their
 * effects apart). ratio = faulty / clean, target ≤ 1.3.
 */
import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { type AccessLine, readAccessLog, summarize } from "./lib/access-log.js";
import type { BenchConfig } from "./lib/bench-config.js";
import { listFiles, makeBenchDir } from "./lib/bench-dir.js";
import { summarizeProfiles } from "./lib/cpu-profile-summary.js";
import { startEmulatorProcess } from "./lib/emulator-process.js";
import { assertCompleted, type HubpushRun, runHubpushUpload } from "./lib/hubpush-cli.js";
import { makeTree, smallFiles, warmTree } from "./lib/make-tree.js";
import { countRemoteFiles } from "./lib/remote-files.js";
import { load, meets, ratioText, seconds, writeResult } from "./lib/results.js";

const MiB = 1024 * 1024;
const TARGET = "≤ 1.3";

const KINDS: Record<string, string> = {
  "500": "kind=status,status=500",
  "503": "kind=status,status=503",
  "429": "kind=ratelimit,retry-after=1",
  reset: "kind=reset",
};

/**
 * Rules fire in order and the first that fires wins, so rule k gets rate a / (1 − (k−1)·a) for
 * each of the n kinds to fire on a = rate / n of all requests, rate in all.
 */
export function faultSpec(rate: number, kinds: readonly string[]): string {
  const a = rate / kinds.length;
  return kinds
    .map((k, i) => {
      const rule = KINDS[k];
      if (rule === undefined)
        throw new Error(`--w6-kinds: unknown "${k}" (${Object.keys(KINDS).join(", ")})`);
      return `route=*,${rule},rate=${(a / (1 - i * a)).toFixed(6)}`;
    })
    .join(";");
}

export async function runW6(config: BenchConfig): Promise<void> {
  const dir = makeBenchDir(config.tmpRoot, "w6", config.keep);
  try {
    const folder = path.join(dir.root, "data");
    const tree = makeTree(folder, [
      smallFiles(config.w6Files, 6),
      { count: 3, size: () => 20 * MiB, dirs: 1, prefix: "lfs-" },
      { count: 1, size: () => 80 * MiB, dirs: 1, prefix: "multipart-" },
    ]);
    const rels = listFiles(folder);
    const spec = faultSpec(config.w6FaultRate, config.w6Kinds);
    const loadBefore = load();
    const side = async (
      name: "clean" | "faulty",
    ): Promise<{ run: HubpushRun; lines: AccessLine[]; remote: number }> => {
      warmTree(folder, rels);
      const hub = await startEmulatorProcess({
        cli: config.cli,
        dataDir: path.join(dir.root, `hub-${name}`),
        accessLog: path.join(dir.root, `${name}-access.log`),
        ...(name === "faulty" ? { faults: spec, seed: config.w6Seed } : {}),
      });
      const profDir = config.cpuProf && name === "faulty" ? path.join(dir.root, "prof") : undefined;
      if (profDir) mkdirSync(profDir, { recursive: true });
      try {
        const run = await runHubpushUpload({
          cli: config.cli,
          home: path.join(dir.root, `home-${name}`),
          folder,
          repo: `bench/w6-${name}`,
          endpoint: hub.url,
          cpuProfDir: profDir,
        });
        assertCompleted(run, tree.files, `w6 ${name}`);
        // Read before the check below: its own requests (faulted too) are not the upload's.
        const lines = readAccessLog(hub.accessLog);
        const remote = await countRemoteFiles(hub.url, `bench/w6-${name}`);
        if (profDir) summarizeProfiles(profDir, `w6 ${name}`);
        return { run, lines, remote };
      } finally {
        await hub.close();
        rmSync(path.join(dir.root, `hub-${name}`), { recursive: true, force: true });
      }
    };
    const clean = await side("clean");
    const loadBetween = load();
    const faulty = await side("faulty");
    const loadAfter = load();
    const ratio = faulty.run.seconds / clean.run.seconds;
    const fs = summarize(faulty.lines);
    const faultCount = Object.values(fs.faults).reduce((a, b) => a + b, 0);
    const describe = (s: { run: HubpushRun; lines: AccessLine[]; remote: number }) => ({
      seconds: s.run.seconds,
      commits: s.run.status?.commits ?? 0,
      peakRssMb: s.run.peakRssMb,
      remoteFiles: s.remote,
      requests: summarize(s.lines),
    });
    console.log(
      `w6: ${tree.files} files (${(tree.bytes / MiB).toFixed(0)} MiB, 4 LFS): clean ${seconds(clean.run.seconds)}, with faults ${seconds(faulty.run.seconds)} → ratio ${ratioText(ratio, TARGET)}`,
    );
    console.log(
      `w6: ${faultCount} faults in ${fs.requests} requests (${((100 * faultCount) / fs.requests).toFixed(1)} %): ${JSON.stringify(fs.faults)}; requests per route ${JSON.stringify(fs.byRoute)} vs clean ${JSON.stringify(summarize(clean.lines).byRoute)}`,
    );
    console.log(
      `w6: load average before ${loadBefore.join(" ")}, between ${loadBetween.join(" ")}, after ${loadAfter.join(" ")}`,
    );
    writeResult("w6", config.cli, {
      files: tree.files,
      bytes: tree.bytes,
      faultSpec: spec,
      seed: config.w6Seed,
      clean: describe(clean),
      faulty: describe(faulty),
      faultsInjected: faultCount,
      ratio,
      ratioDefinition: "hubpush wall time with faults / without, same folder, back to back",
      target: TARGET,
      met: meets(ratio, TARGET),
      loadAverage: { before: loadBefore, between: loadBetween, after: loadAfter },
    });
  } finally {
    dir.remove();
  }
}
