/**
 * W8, a WAN-like upload: the emulator runs with `--link rtt=40,conn=20M,total=100M` (docs/emulator.md
 * "Link shaping": 40 ms added per round trip, 20 MB/s per connection, 100 MB/s for all together;
 * M = 10^6 bytes/s) and two folders go up through it: W2 (4 files of --w8-mb MiB, default 1024) and
 * a mix (--w8-mix-files files of 1–50 MiB, seeded sizes, default 200). For each, `hubpush upload`
 * (the built CLI, one-shot, `--transfer lfs` like the peer unless --transfer says otherwise) and
 * `@huggingface/hub` uploadFiles (useXet: false) and Python huggingface_hub `upload_folder` (without
 * hf_xet, so LFS; bench/python-peer/install.sh, skipped with a printed note when not installed) each
 * run into a fresh emulator of their own with the same link, back to back. Printed for each: the
 * fraction of the total cap reached end to end (payload bytes / process wall time / cap), the TCP
 * connections the client used (seen in /proc/net/tcp) and where its time went (startup before the
 * first content byte, the sending span and how full the link was in it, the tail after the last
 * byte: bench/lib/wire-timeline.ts, from the emulator's access log). Target: hubpush ≥ 0.85 of the
 * cap on both folders.
 *
 *   node --import tsx bench/run.ts --workload w8 [--w8-mb 256] [--w8-mix-files 40] [--w8-link SPEC]
 *   node --import tsx bench/wan.ts [--size 256] [--mix-files 40] [--link SPEC] [--only w2|mix] [--transfer lfs|auto|xet]
 *     [--clients peer,python,hubpush] [--repeat N]   # alone
 *
 * With --repeat N every client runs N times, round by round (the order reversed every other round,
 * so a load that drifts weighs on all alike), and each client's fraction is the median of its runs
 * (bench/lib/wan-verdict.ts): on a shared machine one run slowed by a neighbour is not the verdict.
 */
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import path from "node:path";
import { parseLinkSpec } from "../emulator/link-spec.js";
import { prng } from "../test/helpers/folder-tree.js";
import { type BenchConfig, parseBenchConfig } from "./lib/bench-config.js";
import { assertFreeSpace, listFiles, makeBenchDir } from "./lib/bench-dir.js";
import { startEmulatorProcess } from "./lib/emulator-process.js";
import { assertCompleted, runHubpushUpload } from "./lib/hubpush-cli.js";
import { type CeilingResult, measureCeiling } from "./lib/link-ceiling.js";
import { makeTree, type TreeSpec, warmTree } from "./lib/make-tree.js";
import { countRemoteFiles } from "./lib/remote-files.js";
import { load, meets, writeResult } from "./lib/results.js";
import { runPeer } from "./lib/run-peer.js";
import { findPythonPeer, runPythonPeer } from "./lib/run-python-peer.js";
import { watchConnections } from "./lib/tcp-connections.js";
import { type ClientRuns, formatClientRuns, median, roundOrder } from "./lib/wan-verdict.js";
import { formatRequests, formatTimeline, type WireTimeline, wireTimeline } from "./lib/wire-timeline.js";

const MiB = 1024 * 1024;
const TARGET = "≥ 0.85";

interface WanSide {
  readonly client: "hubpush" | "@huggingface/hub" | string;
  /** Process wall time, spawn to exit, for both clients alike. */
  readonly seconds: number;
  readonly fractionOfCap: number;
  /** Of min(cap, the machine's ceiling measured in the same run). */
  readonly fractionOfReachable: number;
  readonly megabytesPerSecond: number;
  readonly connections: number;
  readonly peakConnections: number;
  readonly peakRssMb: number;
  readonly remoteFiles: number;
  readonly load: number[];
  readonly timeline: WireTimeline;
}

/** "+5 @3.1 s (2.1 MB/s)"… from hubpush's debug log: when the upload-connection count changed. */
function streamDecisions(log: string, startMs: number): string {
  if (!existsSync(log)) return "no log";
  const steps = readFileSync(log, "utf8")
    .split("\n")
    .filter((l) => l.includes('"upload connections"'))
    .map((l) => JSON.parse(l) as { time: number; decision: string; limit: number; rateBytesPerSec: number })
    .map(
      (d) =>
        `${d.decision === "revert" ? "↓" : "↑"}${d.limit} @${((d.time - startMs) / 1000).toFixed(1)} s (${(d.rateBytesPerSec / 1e6).toFixed(1)} MB/s)`,
    );
  return steps.length === 0 ? "unchanged" : steps.join(", ");
}

/** The mix: `count` files of 1–50 MiB, seeded (the same sizes every run). */
function mixSpec(count: number): TreeSpec {
  const sizes = prng(8);
  const table = Array.from({ length: count }, () => (1 + Math.floor(sizes() * 50)) * MiB);
  return { count, size: (i) => table[i] ?? MiB, dirs: 10, prefix: "mix-" };
}

/** The link without its rate caps (same rtt): what the relay + emulator + machine can carry. */
function uncappedLink(spec: string): string {
  return `rtt=${parseLinkSpec(spec).rttMs}`;
}

/**
 * The machine's ceiling in this run: a trivial client (content in memory, 8 connections) PUTs
 * 1 GiB through the same relay without its rate caps into a fresh emulator. A W8 fraction reads
 * against min(cap, ceiling): when the ceiling is below the cap, the machine, not the client, binds.
 */
async function ceilingNow(config: BenchConfig, root: string): Promise<CeilingResult> {
  const link = uncappedLink(config.w8Link);
  const hub = await startEmulatorProcess({
    cli: config.cli,
    dataDir: path.join(root, "hub-ceiling"),
    accessLog: path.join(root, "ceiling-access.log"),
    link,
  });
  try {
    return await measureCeiling(hub.url, {
      streams: 8,
      perStream: 2,
      objectMiB: 64,
      repo: "bench/w8-ceiling",
    });
  } finally {
    await hub.close();
    rmSync(path.join(root, "hub-ceiling"), { recursive: true, force: true });
  }
}

/** One client's run into a fresh emulator with the link; prints its figures, timeline and schedule. */
async function runSide(
  config: BenchConfig,
  who: "peer" | "python" | "hubpush",
  python: ReturnType<typeof findPythonPeer>,
  folderName: string,
  round: number,
  data: string,
  tree: { files: number; bytes: number },
  cap: number,
  ceiling: CeilingResult,
  root: string,
  runLabel: string,
): Promise<WanSide> {
  const label = `${who}-${folderName}-${round + 1}`;
  const hub = await startEmulatorProcess({
    cli: config.cli,
    dataDir: path.join(root, `hub-${label}`),
    accessLog: path.join(root, `${label}-access.log`),
    link: config.w8Link,
  });
  const repo = `bench/w8-${label}`;
  const watch = watchConnections(Number(new URL(hub.url).port));
  const home = path.join(root, `home-${label}`);
  try {
    let seconds: number;
    let peakRssMb: number;
    let client: string;
    const startMs = Date.now();
    if (who === "python") {
      if ("missing" in python) throw new Error(`w8: no Python peer (${python.missing})`);
      const peer = await runPythonPeer(python, hub.url, repo, data);
      seconds = peer.processSeconds;
      peakRssMb = peer.peakRssMb;
      client = python.version;
    } else if (who === "peer") {
      const peer = await runPeer(hub.url, repo, data, config.peerMaxFiles);
      seconds = peer.processSeconds;
      peakRssMb = peer.peakRssMb;
      client = "@huggingface/hub";
    } else {
      // Debug logs carry the upload-connection decisions (grow / revert), printed below.
      process.env.HUBPUSH_LOG_LEVEL ??= "debug";
      const run = await runHubpushUpload({
        cli: config.cli,
        home,
        folder: data,
        repo,
        endpoint: hub.url,
        transfer: config.w8Transfer,
      });
      assertCompleted(run, tree.files, `w8 ${folderName}`);
      seconds = run.seconds;
      peakRssMb = run.peakRssMb;
      client = "hubpush";
    }
    const endMs = Date.now();
    const conns = watch.stop();
    const remoteFiles = await countRemoteFiles(hub.url, repo);
    const side: WanSide = {
      client,
      seconds,
      fractionOfCap: tree.bytes / seconds / cap,
      fractionOfReachable: tree.bytes / seconds / Math.min(cap, ceiling.megabytesPerSecond * 1e6),
      megabytesPerSecond: tree.bytes / 1e6 / seconds,
      connections: conns.distinct,
      peakConnections: conns.peak,
      peakRssMb,
      remoteFiles,
      load: load(),
      timeline: wireTimeline(hub.accessLog, startMs, endMs, cap),
    };
    console.log(
      `w8 ${folderName}: ${side.client}${runLabel} ${seconds.toFixed(1)} s, ${side.megabytesPerSecond.toFixed(1)} MB/s = ${side.fractionOfCap.toFixed(2)} of the cap (${side.fractionOfReachable.toFixed(2)} of min(cap, ceiling)), ${side.connections} connections (≤ ${side.peakConnections} at once), ${remoteFiles} files on the emulator, peak RSS ${peakRssMb.toFixed(0)} MB; load ${side.load.join(" ")}`,
    );
    console.log(`w8 ${folderName}: ${side.client} timeline: ${formatTimeline(side.timeline)}`);
    console.log(`w8 ${folderName}: ${side.client} ${formatRequests(side.timeline)}`);
    if (who === "hubpush") {
      const log = path.join(home, "logs", "upload.log");
      console.log(`w8 ${folderName}: hubpush connection count: ${streamDecisions(log, startMs)}`);
    }
    return side;
  } finally {
    watch.stop();
    await hub.close();
    rmSync(path.join(root, `hub-${label}`), { recursive: true, force: true });
  }
}

export async function runW8(config: BenchConfig): Promise<void> {
  const cap = parseLinkSpec(config.w8Link).totalBytesPerSecond;
  if (!Number.isFinite(cap)) throw new Error(`w8: --w8-link needs a total= cap, got "${config.w8Link}"`);
  const folders: Array<{ name: string; label: string; spec: TreeSpec }> = [
    {
      name: "w2",
      label: `W2: ${config.w2Count} × ${config.w8Mb} MiB`,
      spec: { count: config.w2Count, size: () => config.w8Mb * MiB, dirs: 1, prefix: "w2-" },
    },
    { name: "mix", label: `mix: ${config.w8MixFiles} files of 1–50 MiB`, spec: mixSpec(config.w8MixFiles) },
  ];
  const wanted = folders.filter((f) => config.w8Folders.includes(f.name));
  if (wanted.length !== config.w8Folders.length)
    throw new Error(`w8: --w8-folders takes w2, mix; got ${config.w8Folders.join(",")}`);
  const dir = makeBenchDir(config.tmpRoot, "w8", config.keep);
  const loadBefore = load();
  const python = findPythonPeer();
  if ("missing" in python) console.log(`w8: no Python peer, it is skipped (${python.missing})`);
  const results: Record<string, unknown>[] = [];
  let allMet = true;
  try {
    for (const folder of wanted) {
      const data = path.join(dir.root, folder.name);
      const t0 = Date.now();
      const tree = makeTree(data, [folder.spec]);
      assertFreeSpace(config.tmpRoot, 2.2 * tree.bytes, 1000, "w8");
      const rels = listFiles(data);
      // Random bytes lack a NUL in the first 512 one time in seven: preupload's sample would call
      // such a 1 MiB file regular and the commit then refuse it as binary. Real binaries start with
      // a header; one NUL byte first makes every file what it is, binary, for both clients.
      for (const rel of rels) {
        const fd = openSync(path.join(data, rel), "r+");
        writeSync(fd, Buffer.alloc(1), 0, 1, 0);
        closeSync(fd);
      }
      console.log(
        `w8 ${folder.label}: ${tree.files} files, ${(tree.bytes / MiB).toFixed(0)} MiB written in ${((Date.now() - t0) / 1000).toFixed(1)} s; link ${config.w8Link}; hubpush --transfer ${config.w8Transfer}`,
      );
      const ceiling = await ceilingNow(config, dir.root);
      const ceilingOfCap = (ceiling.megabytesPerSecond * 1e6) / cap;
      console.log(
        `w8 ${folder.name}: machine ceiling (trivial client, ${ceiling.streams} connections, link ${uncappedLink(config.w8Link)} uncapped) ${ceiling.megabytesPerSecond.toFixed(1)} MB/s = ${ceilingOfCap.toFixed(2)} of the cap; load ${load().join(" ")}`,
      );
      const sides: WanSide[] = [];
      const clients = config.w8Clients.filter((c) => !(c === "python" && "missing" in python));
      for (let round = 0; round < config.repeat; round++) {
        for (const who of roundOrder(clients, round)) {
          if (who !== "peer" && who !== "python" && who !== "hubpush")
            throw new Error(`w8: --w8-clients takes peer, python, hubpush; got "${who}"`);
          warmTree(data, rels);
          const run = config.repeat > 1 ? ` (run ${round + 1} of ${config.repeat})` : "";
          sides.push(
            await runSide(config, who, python, folder.name, round, data, tree, cap, ceiling, dir.root, run),
          );
        }
      }
      const runsOf = (client: string): ClientRuns => {
        const mine = sides.filter((s) => s.client === client);
        return {
          client,
          fractions: mine.map((s) => s.fractionOfCap),
          connections: mine.map((s) => s.connections),
        };
      };
      const ours = runsOf("hubpush");
      const fraction = median(ours.fractions);
      const met = ours.fractions.length > 0 && meets(fraction, TARGET);
      allMet &&= met;
      const peers = [...new Set(sides.map((s) => s.client))]
        .filter((c) => c !== "hubpush")
        .map((c) => formatClientRuns(runsOf(c)));
      if ("missing" in python) peers.push(`Python huggingface_hub not measured (${python.missing})`);
      console.log(
        `w8 ${folder.name}: ${ours.fractions.length === 0 ? "hubpush not run" : formatClientRuns(ours)} of the total cap (target ${TARGET}, ${met ? "met" : "NOT met"}); ${peers.join("; ")}; machine ceiling ${ceilingOfCap.toFixed(1)}× the cap`,
      );
      results.push({
        folder: folder.name,
        label: folder.label,
        files: tree.files,
        bytes: tree.bytes,
        ceilingMegabytesPerSecond: ceiling.megabytesPerSecond,
        ceilingOfCap,
        sides,
        hubpushMedianFractionOfCap: fraction,
        met,
      });
      rmSync(data, { recursive: true, force: true });
    }
    writeResult("w8", config.cli, {
      link: config.w8Link,
      hubpushTransfer: config.w8Transfer,
      totalCapBytesPerSecond: cap,
      rateUnit: "M = 10^6 bytes per second",
      fractionDefinition:
        "payload bytes / client process wall time (spawn to exit) / total cap; the verdict reads the median of hubpush's runs (--repeat)",
      results,
      pythonPeer: "missing" in python ? python.missing : python.version,
      target: TARGET,
      met: allMet,
      loadAverageBefore: loadBefore,
    });
  } finally {
    dir.remove();
  }
}

/** Run alone: `--size MB` and `--mix-files N` scale the two folders down, `--link` changes the link. */
if (process.argv[1] !== undefined && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  const argv = process.argv.slice(2).map(
    (a) =>
      ({
        "--size": "--w8-mb",
        "--mix-files": "--w8-mix-files",
        "--link": "--w8-link",
        "--only": "--w8-folders",
        "--transfer": "--w8-transfer",
        "--clients": "--w8-clients",
      })[a] ?? a,
  );
  const config = parseBenchConfig(["--workload", "w8", ...argv]);
  if (config !== null) await runW8(config);
}
