/**
 * W2x (issue 15, "Throughput"): W2 (config.w2Count files of config.w2Mb MiB, random bytes) uploaded
 * by the built CLI with `--transfer lfs` and with `--transfer xet`, same folder, same run, each into
 * a fresh emulator of its own (objects are shared within a data dir, so a second upload would find
 * everything stored). Rounds alternate (lfs, xet, lfs, xet …; --repeat N rounds). Per side: wall
 * time, user + sys CPU seconds of the hubpush process, bytes the emulator received (every request
 * body: LFS parts / xorbs + shards, plus preupload and commit). Target: xet wall ≤ 1.3 × lfs wall,
 * median round. With --cpu-prof the last xet side runs under the profiler and the summary says
 * where its CPU went, and so does the emulator of each last side (its own profile dir: the emulator's
 * CPU per GiB is what a Xet byte costs the server beside the client on the same cores).
 * `--w2x-tuning JSON` gives both sides engine knobs (HUBPUSH_TUNING, which `hubpush upload` reads as
 * the daemon does), e.g. 8 MiB xorbs against the 64 MiB default. Run through bench/run.ts
 * (`--workload w2x`).
 */
import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { readAccessLog } from "./lib/access-log.js";
import type { BenchConfig } from "./lib/bench-config.js";
import { assertFreeSpace, listFiles, makeBenchDir } from "./lib/bench-dir.js";
import { type ProfileSummary, summarizeProfiles } from "./lib/cpu-profile-summary.js";
import { startEmulatorProcess } from "./lib/emulator-process.js";
import { assertCompleted, runHubpushUpload } from "./lib/hubpush-cli.js";
import { makeTree, warmTree } from "./lib/make-tree.js";
import { load, meets, ratioText, seconds, writeResult } from "./lib/results.js";
import { readCpuSeconds } from "./lib/run-process.js";

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const TARGET = "≤ 1.3";

type Transfer = "lfs" | "xet";

interface Side {
  readonly transfer: Transfer;
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly peakRssMb: number;
  /** User + sys CPU seconds of the emulator process: it decodes and verifies every xorb. */
  readonly emulatorCpuSeconds: number;
  /** Sum of request bodies the emulator answered 2xx. */
  readonly bytesSent: number;
  /** Of which: LFS parts/PUTs, or xorbs + shards. */
  readonly payloadBytes: number;
  readonly byRoute: Record<string, number>;
  readonly load: number[];
}

const PAYLOAD_ROUTES = new Set(["lfs-part", "lfs-put", "xet-xorb", "xet-shard"]);

export async function runW2x(config: BenchConfig): Promise<void> {
  const size = config.w2Mb * MiB;
  const dir = makeBenchDir(config.tmpRoot, "w2x", config.keep);
  // Data, then one emulator's objects at a time (xorbs, or parts + assembled objects).
  assertFreeSpace(config.tmpRoot, 3.2 * config.w2Count * size, 1000, "w2x");
  try {
    const folder = path.join(dir.root, "data");
    const t0 = Date.now();
    const tree = makeTree(folder, [{ count: config.w2Count, size: () => size, dirs: 1 }]);
    const rels = listFiles(folder);
    console.log(
      `w2x: ${tree.files} files, ${(tree.bytes / MiB).toFixed(0)} MiB written in ${seconds((Date.now() - t0) / 1000)}`,
    );

    const side = async (
      transfer: Transfer,
      i: number,
      profDir?: string,
      hubProfDir?: string,
    ): Promise<Side> => {
      warmTree(folder, rels);
      const label = `${transfer}-${i}`;
      const hub = await startEmulatorProcess({
        cli: config.cli,
        dataDir: path.join(dir.root, `hub-${label}`),
        accessLog: path.join(dir.root, `${label}-access.log`),
        cpuProfDir: hubProfDir,
      });
      try {
        const run = await runHubpushUpload({
          cli: config.cli,
          home: path.join(dir.root, `home-${label}`),
          folder,
          repo: `bench/w2x-${label}`,
          endpoint: hub.url,
          transfer,
          cpuProfDir: profDir,
          ...(config.w2xTuning === null ? {} : { tuning: config.w2xTuning }),
        });
        assertCompleted(run, tree.files, `w2x ${label}`);
        const lines = readAccessLog(hub.accessLog).filter((l) => l.status >= 200 && l.status <= 299);
        const byRoute: Record<string, number> = {};
        for (const l of lines) byRoute[l.route] = (byRoute[l.route] ?? 0) + 1;
        const payload = lines.filter((l) => PAYLOAD_ROUTES.has(l.route));
        // A side that sent nothing through its own transfer measured the wrong thing.
        const own = transfer === "xet" ? "xet-xorb" : "lfs-";
        if (!payload.some((l) => l.route.startsWith(own))) {
          throw new Error(
            `w2x ${label}: no ${own}* request reached the emulator: ${JSON.stringify(byRoute)}`,
          );
        }
        return {
          transfer,
          seconds: run.seconds,
          cpuSeconds: run.cpuSeconds,
          peakRssMb: run.peakRssMb,
          emulatorCpuSeconds: readCpuSeconds(hub.pid) ?? Number.NaN,
          bytesSent: lines.reduce((n, l) => n + l.bytesIn, 0),
          payloadBytes: payload.reduce((n, l) => n + l.bytesIn, 0),
          byRoute,
          load: load(),
        };
      } finally {
        await hub.close();
        rmSync(path.join(dir.root, `hub-${label}`), { recursive: true, force: true });
      }
    };

    const show = (s: Side): string =>
      `${seconds(s.seconds)} wall, CPU ${seconds(s.cpuSeconds)} (emulator ${seconds(s.emulatorCpuSeconds)}, ${(s.emulatorCpuSeconds / (tree.bytes / GiB)).toFixed(2)} s/GiB), sent ${(s.bytesSent / MiB).toFixed(1)} MiB (payload ${(s.payloadBytes / MiB).toFixed(1)}), peak RSS ${s.peakRssMb.toFixed(0)} MB, load ${s.load.join(" ")}`;

    if (config.w2xTuning !== null) console.log(`w2x: HUBPUSH_TUNING=${config.w2xTuning} on both sides`);
    const loadBefore = load();
    const rounds: Array<{ lfs: Side; xet: Side; ratio: number; cpuRatio: number }> = [];
    let profiles: ProfileSummary[] | undefined;
    const hubProf = (transfer: Transfer, i: number): string | undefined => {
      if (!config.cpuProf || i !== config.repeat) return undefined;
      const d = path.join(dir.root, `prof-hub-${transfer}`);
      mkdirSync(d, { recursive: true });
      return d;
    };
    for (let i = 1; i <= config.repeat; i++) {
      const lfsProf = hubProf("lfs", i);
      const lfs = await side("lfs", i, undefined, lfsProf);
      if (lfsProf) profiles = [...(profiles ?? []), ...summarizeProfiles(lfsProf, "w2x lfs emulator")];
      console.log(`w2x round ${i}: lfs ${show(lfs)}`);
      // Profile the last xet side only: the profiler costs time of its own.
      const profDir = config.cpuProf && i === config.repeat ? path.join(dir.root, "prof") : undefined;
      if (profDir) mkdirSync(profDir, { recursive: true });
      const xetProf = hubProf("xet", i);
      const xet = await side("xet", i, profDir, xetProf);
      const ratio = xet.seconds / lfs.seconds;
      const cpuRatio = xet.cpuSeconds / lfs.cpuSeconds;
      console.log(
        `w2x round ${i}: xet ${show(xet)} → wall ratio ${ratio.toFixed(2)}, CPU ratio ${cpuRatio.toFixed(2)}`,
      );
      console.log(
        `w2x round ${i}: requests lfs ${JSON.stringify(lfs.byRoute)}; xet ${JSON.stringify(xet.byRoute)}`,
      );
      rounds.push({ lfs, xet, ratio, cpuRatio });
      if (profDir) profiles = [...(profiles ?? []), ...summarizeProfiles(profDir, "w2x xet")];
      if (xetProf) profiles = [...(profiles ?? []), ...summarizeProfiles(xetProf, "w2x xet emulator")];
    }
    const sorted = [...rounds].sort((a, b) => a.ratio - b.ratio);
    // The upper median with an even count: the less flattering round.
    const median = sorted[Math.floor(sorted.length / 2)];
    if (median === undefined) throw new Error("w2x: --repeat must be at least 1");
    console.log(
      `w2x: wall xet / lfs = ${ratioText(median.ratio, TARGET)}; CPU xet / lfs = ${median.cpuRatio.toFixed(2)}${rounds.length > 1 ? ` (median of ${rounds.map((r) => r.ratio.toFixed(2)).join(", ")})` : ""}`,
    );
    writeResult("w2x", config.cli, {
      files: tree.files,
      bytes: tree.bytes,
      rounds,
      ratio: median.ratio,
      cpuRatio: median.cpuRatio,
      ratioDefinition: "hubpush --transfer xet wall time / hubpush --transfer lfs wall time, median round",
      target: TARGET,
      met: meets(median.ratio, TARGET),
      loadAverageBefore: loadBefore,
      tuning: config.w2xTuning,
      ...(profiles ? { cpuProfiles: profiles } : {}),
    });
  } finally {
    dir.remove();
  }
}
