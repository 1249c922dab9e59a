/**
 * W1 and W2: `hubpush upload` (the built CLI, a process of its own) against the official clients:
 * huggingface_hub's `upload_folder` (Python, the issue's baseline; installed by
 * bench/python-peer/install.sh, skipped with a note when it is not) and `@huggingface/hub`
 * createRepo + uploadFiles with useXet: false, each in a process of its own and each into a fresh
 * emulator (one per side because LFS objects are shared within a data dir, so the second uploader
 * would find every object stored). Same folder, same warm page cache, back to back; with --repeat N
 * the round runs N times. ratio = hubpush wall time / peer time, per round; the median round is
 * the headline, against the Python peer when it is installed. Run through bench/run.ts.
 */
import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { type AccessSummary, readAccessLog, summarize } from "./lib/access-log.js";
import type { BenchConfig } from "./lib/bench-config.js";
import { assertFreeSpace, listFiles, makeBenchDir } from "./lib/bench-dir.js";
import { type ProfileSummary, summarizeProfiles } from "./lib/cpu-profile-summary.js";
import { startEmulatorProcess } from "./lib/emulator-process.js";
import { assertCompleted, runHubpushUpload } from "./lib/hubpush-cli.js";
import { makeTree, smallFiles, type TreeSpec, warmTree } from "./lib/make-tree.js";
import { countRemoteFiles } from "./lib/remote-files.js";
import { load, meets, ratioText, seconds, writeResult } from "./lib/results.js";
import { runPeer } from "./lib/run-peer.js";
import { findPythonPeer, runPythonPeer } from "./lib/run-python-peer.js";

const MiB = 1024 * 1024;

/** W1: config.w1Files files of 1–16 KiB. Target ≤ 1.2 × the peer. */
export function runW1(config: BenchConfig): Promise<void> {
  return uploadVsPeer(config, "w1", [smallFiles(config.w1Files)], "≤ 1.2");
}

/** W2: config.w2Count files of config.w2Mb MiB (multipart on the emulator). Target ≤ 1.0 × the peer. */
export function runW2(config: BenchConfig): Promise<void> {
  const size = config.w2Mb * MiB;
  // Data, then the emulator's parts and assembled objects of one side at a time.
  assertFreeSpace(config.tmpRoot, 3.2 * config.w2Count * size, 1000, "w2");
  return uploadVsPeer(config, "w2", [{ count: config.w2Count, size: () => size, dirs: 1 }], "≤ 1.0");
}

interface Side {
  readonly seconds: number;
  readonly commits: number;
  readonly peakRssMb: number;
  /** User + system CPU seconds of the client's process (issue 16 item 6 compares them for W2). */
  readonly cpuSeconds: number;
  readonly remoteFiles: number;
  readonly requests: AccessSummary;
  readonly load: number[];
}

async function uploadVsPeer(
  config: BenchConfig,
  name: "w1" | "w2",
  specs: TreeSpec[],
  target: string,
): Promise<void> {
  const dir = makeBenchDir(config.tmpRoot, name, config.keep);
  try {
    const folder = path.join(dir.root, "data");
    const t0 = Date.now();
    const tree = makeTree(folder, specs);
    const rels = listFiles(folder);
    console.log(
      `${name}: ${tree.files} files, ${(tree.bytes / MiB).toFixed(0)} MiB written in ${seconds((Date.now() - t0) / 1000)}`,
    );

    const python = findPythonPeer();
    if ("missing" in python) console.log(`${name}: no Python peer (${python.missing})`);

    /** One side into a fresh emulator whose data is deleted right after (W2 needs the disk). */
    const side = async (
      who: "peer" | "python" | "hubpush" | "baseline",
      i: number,
      profDir?: string,
    ): Promise<Side> => {
      warmTree(folder, rels);
      const label = `${who}-${name}-${i}`;
      const hub = await startEmulatorProcess({
        cli: config.cli,
        dataDir: path.join(dir.root, `hub-${label}`),
        accessLog: path.join(dir.root, `${label}-access.log`),
      });
      const repo = `bench/${label}`;
      try {
        if (who === "peer" || who === "python") {
          const peer =
            who === "python" && !("missing" in python)
              ? await runPythonPeer(python, hub.url, repo, folder)
              : await runPeer(hub.url, repo, folder, config.peerMaxFiles);
          const requests = summarize(readAccessLog(hub.accessLog));
          const remoteFiles = await countRemoteFiles(hub.url, repo);
          return { ...peer, remoteFiles, requests, load: load() };
        }
        const run = await runHubpushUpload({
          cli: who === "baseline" && config.baselineCli !== null ? config.baselineCli : config.cli,
          home: path.join(dir.root, `home-${who}-${i}`),
          folder,
          repo,
          endpoint: hub.url,
          cpuProfDir: profDir,
          // Like for like: both peers upload through LFS (the JS one with useXet: false, the Python
          // one without hf_xet). Xet against LFS is W2x (bench/xet-vs-lfs.ts).
          // (a --baseline-cli build must know --transfer: any build since 2026-12-07).
          transfer: "lfs",
        });
        const status = assertCompleted(run, tree.files, name);
        const requests = summarize(readAccessLog(hub.accessLog));
        const remoteFiles = await countRemoteFiles(hub.url, repo);
        return {
          seconds: run.seconds,
          commits: status.commits,
          peakRssMb: run.peakRssMb,
          cpuSeconds: run.cpuSeconds,
          remoteFiles,
          requests,
          load: load(),
        };
      } finally {
        await hub.close();
        rmSync(path.join(dir.root, `hub-${label}`), { recursive: true, force: true });
      }
    };

    const loadBefore = load();
    const pairs: Array<{
      peer: Side;
      hubpush: Side;
      ratio: number;
      cpuRatio: number;
      python?: Side;
      pythonRatio?: number;
      pythonCpuRatio?: number;
    }> = [];
    let profiles: ProfileSummary[] | undefined;
    const baselines: Side[] = [];
    for (let i = 1; i <= config.repeat; i++) {
      const peer = await side("peer", i);
      console.log(
        `${name}: peer uploadFiles ${seconds(peer.seconds)} (${peer.commits} commits, ${peer.remoteFiles} files on the emulator, peak RSS ${peer.peakRssMb.toFixed(0)} MB, CPU ${seconds(peer.cpuSeconds)}; load ${peer.load.join(" ")})`,
      );
      const py = "missing" in python ? undefined : await side("python", i);
      if (py !== undefined) {
        console.log(
          `${name}: Python upload_folder ${seconds(py.seconds)} (${py.commits} commits, ${py.remoteFiles} files on the emulator, peak RSS ${py.peakRssMb.toFixed(0)} MB, CPU ${seconds(py.cpuSeconds)}; load ${py.load.join(" ")})`,
        );
      }
      // Profile the last hubpush run only: the profiler costs time of its own.
      const profDir = config.cpuProf && i === config.repeat ? path.join(dir.root, "prof") : undefined;
      if (profDir) mkdirSync(profDir, { recursive: true });
      const hubpush = await side("hubpush", i, profDir);
      const ratio = hubpush.seconds / peer.seconds;
      console.log(
        `${name}: hubpush ${seconds(hubpush.seconds)} (${hubpush.commits} commits, ${hubpush.remoteFiles} files on the emulator, peak RSS ${hubpush.peakRssMb.toFixed(0)} MB; load ${hubpush.load.join(" ")}) → ratio ${ratio.toFixed(2)}`,
      );
      console.log(
        `${name}: requests hubpush ${JSON.stringify(hubpush.requests.byRoute)}; peer ${JSON.stringify(peer.requests.byRoute)}`,
      );
      const cpuRatio = hubpush.cpuSeconds / peer.cpuSeconds;
      console.log(
        `${name}: CPU (user + sys) hubpush ${seconds(hubpush.cpuSeconds)}, peer ${seconds(peer.cpuSeconds)} → ratio ${cpuRatio.toFixed(2)}${name === "w2" ? ` (${(hubpush.cpuSeconds / (tree.bytes / 2 ** 30)).toFixed(2)} s per GiB vs ${(peer.cpuSeconds / (tree.bytes / 2 ** 30)).toFixed(2)})` : ""}`,
      );
      if (py !== undefined) {
        console.log(
          `${name}: against Python upload_folder: wall ${(hubpush.seconds / py.seconds).toFixed(2)}, CPU ${(hubpush.cpuSeconds / py.cpuSeconds).toFixed(2)}`,
        );
        pairs.push({
          peer,
          hubpush,
          ratio,
          cpuRatio,
          python: py,
          pythonRatio: hubpush.seconds / py.seconds,
          pythonCpuRatio: hubpush.cpuSeconds / py.cpuSeconds,
        });
      } else {
        pairs.push({ peer, hubpush, ratio, cpuRatio });
      }
      if (config.baselineCli !== null) {
        const before = await side("baseline", i);
        baselines.push(before);
        console.log(
          `${name}: --baseline-cli ${seconds(before.seconds)}, CPU ${seconds(before.cpuSeconds)}, peak RSS ${before.peakRssMb.toFixed(0)} MB → ratio to the peer ${(before.seconds / peer.seconds).toFixed(2)}; this build ${(before.seconds / hubpush.seconds).toFixed(2)}× faster`,
        );
      }
      if (profDir) profiles = summarizeProfiles(profDir, name);
    }
    // The headline is against the Python peer when it ran (the issue's baseline), else the JS one.
    const headline = (p: (typeof pairs)[number]): number => p.pythonRatio ?? p.ratio;
    const sorted = [...pairs].sort((a, b) => headline(a) - headline(b));
    // The upper median with an even count: the less flattering pair.
    const median = sorted[Math.floor(sorted.length / 2)];
    if (median === undefined) throw new Error(`${name}: --repeat must be at least 1`);
    const against = median.python !== undefined ? "Python upload_folder" : "@huggingface/hub";
    console.log(
      `${name}: ratio hubpush / ${against} = ${ratioText(headline(median), target)}${pairs.length > 1 ? ` (median of ${pairs.map((p) => headline(p).toFixed(2)).join(", ")})` : ""}`,
    );
    if (median.python !== undefined) {
      console.log(
        `${name}: same round, hubpush / @huggingface/hub = ${median.ratio.toFixed(2)}; CPU hubpush / Python ${median.pythonCpuRatio?.toFixed(2)}, / JS ${median.cpuRatio.toFixed(2)}`,
      );
    }
    writeResult(name, config.cli, {
      files: tree.files,
      bytes: tree.bytes,
      peerClient: "@huggingface/hub uploadFiles, useXet: false",
      pythonPeer: "missing" in python ? python.missing : `${python.version} upload_folder (LFS)`,
      headlineAgainst: against,
      peerFilesPerCall: config.peerMaxFiles,
      pairs,
      ratio: headline(median),
      cpuRatio: median.pythonCpuRatio ?? median.cpuRatio,
      ...(config.baselineCli !== null ? { baselineCli: config.baselineCli, baselines } : {}),
      cpuRatioDefinition:
        "hubpush process user+sys CPU seconds / peer process user+sys CPU seconds (same round; the Python peer's when it ran)",
      ratioDefinition:
        "hubpush process wall time / peer create+upload time (inside its process; the Python peer's when it ran); median round",
      target,
      met: meets(headline(median), target),
      loadAverageBefore: loadBefore,
      ...(profiles ? { cpuProfiles: profiles } : {}),
    });
  } finally {
    dir.remove();
  }
}
