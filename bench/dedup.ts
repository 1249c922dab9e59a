/**
 * W7 (issue 15): Xet dedup on a structured file. A safetensors-like file of float32 tensors
 * (config.w7Mb MiB; 1 GiB by default) is uploaded, then re-uploaded after each edit, applied in
 * turn: (a) 1 MiB overwritten in the middle, (b) 4 KiB inserted at 10 %, (c) 5 % appended. Bytes
 * sent = xorb + shard bodies the emulator received (its access log), for `hubpush upload` (the built
 * CLI, one HUBPUSH_HOME) and for @huggingface/hub useXet (a process of its own), each against an
 * emulator of its own, in the same run. Then cross-job: a new repo (same endpoint, same journal)
 * gets the file with a further 1 MiB edit at 75 %: the chunk index dedups it. Targets: (a), (b)
 * ≤ 3 % of the file, (c) ≤ 6 %, hubpush ≤ the peer; cross-job ≤ 6 %. Run through bench/run.ts.
 */
import { closeSync, copyFileSync, mkdirSync, openSync, readSync, rmSync, statSync, writeSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { readAccessLog } from "./lib/access-log.js";
import type { BenchConfig } from "./lib/bench-config.js";
import { assertFreeSpace, makeBenchDir } from "./lib/bench-dir.js";
import { startEmulatorProcess, TOKEN } from "./lib/emulator-process.js";
import { assertCompleted, runHubpushUpload } from "./lib/hubpush-cli.js";
import { load, writeResult } from "./lib/results.js";
import { runNodeProcess } from "./lib/run-process.js";
import { formatSections, type ShardSections, shardSections } from "./lib/shard-sections.js";

const MiB = 1024 * 1024;
const PEER = fileURLToPath(new URL("./lib/xet-peer-child.ts", import.meta.url));

/** Seeded xorshift32 for reproducible "weights". */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

/** `bytes` of float32 values: smooth per-tensor curves plus noise, like trained weights (BG4 helps). */
function floats(bytes: number, seed: number): Buffer {
  const out = Buffer.alloc(bytes);
  const r = rng(seed);
  const scale = 0.02 + r() * 0.05;
  for (let i = 0; i + 4 <= bytes; i += 4)
    out.writeFloatLE(scale * Math.sin(i * 1e-5 * (1 + seed)) + (r() - 0.5) * scale, i);
  return out;
}

/** A safetensors-like file: 8-byte header length, JSON header, then tensors of 16 MiB each. */
function writeModel(file: string, bytes: number): void {
  const tensors = Math.max(1, Math.floor(bytes / (16 * MiB)));
  const each = Math.floor(bytes / tensors / 4) * 4;
  const header: Record<string, unknown> = {};
  for (let i = 0; i < tensors; i++) {
    header[`layers.${i}.weight`] = {
      dtype: "F32",
      shape: [each / 4],
      data_offsets: [i * each, (i + 1) * each],
    };
  }
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  const fd = openSync(file, "w");
  try {
    writeSync(fd, len);
    writeSync(fd, json);
    for (let i = 0; i < tensors; i++) writeSync(fd, floats(each, i + 1));
  } finally {
    closeSync(fd);
  }
}

function overwrite(file: string, at: number, data: Buffer): void {
  const fd = openSync(file, "r+");
  try {
    writeSync(fd, data, 0, data.length, at);
  } finally {
    closeSync(fd);
  }
}

/** Inserts `data` at `at` by streaming the tail into a copy (never the whole file in memory). */
function insert(file: string, at: number, data: Buffer): void {
  const tmp = `${file}.tmp`;
  copyFileSync(file, tmp);
  const src = openSync(tmp, "r");
  const dst = openSync(file, "r+");
  try {
    writeSync(dst, data, 0, data.length, at);
    const block = Buffer.alloc(16 * MiB);
    let readAt = at;
    let writeAt = at + data.length;
    for (;;) {
      const n = readSync(src, block, 0, block.length, readAt);
      if (n === 0) break;
      writeSync(dst, block, 0, n, writeAt);
      readAt += n;
      writeAt += n;
    }
  } finally {
    closeSync(src);
    closeSync(dst);
    rmSync(tmp, { force: true });
  }
}

function append(file: string, data: Buffer): void {
  overwrite(file, statSync(file).size, data);
}

/** Xorb + shard bytes the emulator received since line `from` (and the shard part of them). */
function sentSince(
  log: string,
  from: number,
  dataDir: string,
): { bytes: number; shardBytes: number; lines: number; sections: ShardSections } {
  const lines = readAccessLog(log);
  const stored = lines
    .slice(from)
    .filter((l) => (l.route === "xet-xorb" || l.route === "xet-shard") && l.status === 200);
  const bytes = stored.reduce((n, l) => n + l.bytesIn, 0);
  const shardBytes = stored.filter((l) => l.route === "xet-shard").reduce((n, l) => n + l.bytesIn, 0);
  return { bytes, shardBytes, lines: lines.length, sections: shardSections(dataDir, stored) };
}

export async function runW7(config: BenchConfig): Promise<void> {
  const size = config.w7Mb * MiB;
  const dir = makeBenchDir(config.tmpRoot, "w7", config.keep);
  // The file, its copy during the insert, and both emulators' xorbs.
  assertFreeSpace(config.tmpRoot, 6 * size, 1000, "w7");
  const emulators: Array<{ close(): Promise<void> }> = [];
  try {
    const folder = path.join(dir.root, "data");
    mkdirSync(folder, { recursive: true });
    const file = path.join(folder, "model.safetensors");
    const t0 = Date.now();
    writeModel(file, size);
    console.log(
      `w7: ${(size / MiB).toFixed(0)} MiB structured file written in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );
    const oursDir = path.join(dir.root, "emu-hubpush");
    const theirsDir = path.join(dir.root, "emu-peer");
    const ours = await startEmulatorProcess({
      cli: config.cli,
      dataDir: oursDir,
      accessLog: path.join(dir.root, "hubpush.log"),
    });
    emulators.push(ours);
    const theirs = await startEmulatorProcess({
      cli: config.cli,
      dataDir: theirsDir,
      accessLog: path.join(dir.root, "peer.log"),
    });
    emulators.push(theirs);
    const home = path.join(dir.root, "home");
    let oursMark = 0;
    let theirsMark = 0;
    let first = true;
    const step = async (label: string, repo = "bench/w7") => {
      const run = await runHubpushUpload({ cli: config.cli, home, folder, repo, endpoint: ours.url });
      assertCompleted(run, 1, `w7 ${label}`);
      const us = sentSince(ours.accessLog, oursMark, oursDir);
      oursMark = us.lines;
      let peer: number | null = null;
      let peerShards: number | null = null;
      let peerSections: ShardSections | null = null;
      if (repo === "bench/w7") {
        const p = await runNodeProcess({
          args: [
            "--no-warnings",
            "--import",
            "tsx",
            PEER,
            "--url",
            theirs.url,
            "--repo",
            repo,
            "--file",
            file,
          ].concat(["--path", "model.safetensors", "--token", TOKEN], first ? ["--create"] : []),
          env: process.env,
        });
        if (p.code !== 0) throw new Error(`w7 ${label}: the peer failed:\n${p.stderr.slice(-2000)}`);
        first = false;
        const them = sentSince(theirs.accessLog, theirsMark, theirsDir);
        theirsMark = them.lines;
        peer = them.bytes;
        peerShards = them.shardBytes;
        peerSections = them.sections;
      }
      const fileSize = statSync(file).size;
      const pct = (n: number) => `${((100 * n) / fileSize).toFixed(2)} %`;
      console.log(
        `w7 ${label}: hubpush sent ${us.bytes} B (${pct(us.bytes)}; shards ${us.shardBytes} B), ${peer === null ? "peer not run" : `peer sent ${peer} B (${pct(peer)}; shards ${peerShards} B)`}, ${run.seconds.toFixed(1)} s`,
      );
      // The shards section by section (§5.1), both sides of the same run.
      console.log(`    hubpush shard: ${formatSections(us.sections)}`);
      if (peerSections !== null) console.log(`    peer shard:    ${formatSections(peerSections)}`);
      return {
        label,
        fileBytes: fileSize,
        hubpush: us.bytes,
        peer,
        hubpushShards: us.shardBytes,
        peerShards,
        hubpushShardSections: us.sections,
        peerShardSections: peerSections,
        seconds: run.seconds,
      };
    };
    const rows = [await step("initial")];
    overwrite(file, Math.floor(size / 2), floats(MiB, 101));
    rows.push(await step("(a) 1 MiB overwritten in the middle"));
    insert(file, Math.floor(size / 10), floats(4096, 102));
    rows.push(await step("(b) 4 KiB inserted at 10 %"));
    append(file, floats(Math.floor((0.05 * size) / 4) * 4, 103));
    rows.push(await step("(c) 5 % appended"));
    overwrite(file, Math.floor(size * 0.75), floats(MiB, 104));
    rows.push(await step("cross-job: new repo, 1 MiB edited at 75 %", "bench/w7-other"));
    const targets = [null, 0.03, 0.03, 0.06, 0.06];
    const verdicts = rows.map((r, i) => {
      const target = targets[i];
      if (target === undefined || target === null) return null;
      const share = r.hubpush / r.fileBytes;
      return {
        label: r.label,
        share,
        target,
        met: share <= target && (r.peer === null || r.hubpush <= r.peer),
      };
    });
    for (const v of verdicts) {
      if (v !== null) {
        console.log(
          `w7 ${v.label}: ${(100 * v.share).toFixed(2)} % (target ≤ ${100 * v.target} % and ≤ peer) ${v.met ? "met" : "NOT met"}`,
        );
      }
    }
    writeResult("w7", config.cli, { load: load(), sizeMb: config.w7Mb, rows, verdicts });
  } finally {
    for (const e of emulators) await e.close();
    dir.remove();
  }
}
