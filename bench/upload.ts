/**
 * Upload benchmarks against the emulator, each with the official client measured in the same run:
 *
 *   npm run build && node --import tsx bench/upload.ts [--workload w1|w2|rss|all] [--files 50000]
 *        [--w2-count 4] [--w2-mb 1024] [--rss-files 200000]
 *
 * W1: --files files of 1–16 KiB. W2: --w2-count files of --w2-mb MiB (multipart). For each, wall
 * time of `hubpush upload` (the built CLI, a process of its own, so its peak RSS is its own) and of
 * `@huggingface/hub` uploadFiles (useXet: false) into a fresh repo on the same emulator; the ratio
 * is hubpush / peer. rss: a folder of --rss-files tiny files, hubpush only, to show that peak RSS
 * does not grow with the number of files. Results: bench/results/upload.json.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { createRepo, uploadFiles } from "@huggingface/hub";
import { startEmulator } from "../emulator/start-emulator.js";

const MiB = 1024 * 1024;
const TOKEN = "hf_bench_write";
const CLI = fileURLToPath(new URL("../dist/cli/main.js", import.meta.url));

const { values } = parseArgs({
  options: {
    workload: { type: "string", default: "all" },
    files: { type: "string", default: "50000" },
    "w2-count": { type: "string", default: "4" },
    "w2-mb": { type: "string", default: "1024" },
    "rss-files": { type: "string", default: "200000" },
  },
});

interface Result {
  workload: string;
  files: number;
  bytes: number;
  hubpushSeconds: number;
  peerSeconds: number | null;
  ratio: number | null;
  hubpushPeakRssMb: number;
  commits: number;
}

function generate(dir: string, count: number, size: () => number): { rels: string[]; bytes: number } {
  const rels: string[] = [];
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const rel = `d${String(i % 200).padStart(3, "0")}/f${i}.dat`;
    const full = path.join(dir, rel);
    if (i < 200) mkdirSync(path.dirname(full), { recursive: true });
    const n = size();
    writeFileSync(full, n > 64 * MiB ? Buffer.alloc(0) : randomBytes(n));
    if (n > 64 * MiB) {
      // Big files are written in chunks of random bytes, never held whole.
      const chunk = randomBytes(16 * MiB);
      for (let w = 0; w < n; w += chunk.length)
        writeFileSync(full, chunk.subarray(0, Math.min(chunk.length, n - w)), { flag: "a" });
    }
    rels.push(rel);
    bytes += n;
  }
  return { rels, bytes };
}

/** Runs the built CLI and samples its peak RSS (VmHWM) from /proc until it exits. */
function runHubpush(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ seconds: number; peakRssMb: number; code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let peak = 0;
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      out += d.toString();
    });
    const sample = setInterval(() => {
      try {
        const kb = Number(
          readFileSync(`/proc/${child.pid}/status`, "utf8").match(/VmHWM:\s+(\d+)/)?.[1] ?? 0,
        );
        peak = Math.max(peak, kb);
      } catch {
        // exited between two samples
      }
    }, 100);
    child.on("error", reject);
    child.on("close", (code) => {
      clearInterval(sample);
      resolve({
        seconds: Number(process.hrtime.bigint() - started) / 1e9,
        peakRssMb: peak / 1024,
        code,
        out,
      });
    });
  });
}

async function runPeer(url: string, repo: string, folder: string, rels: string[]): Promise<number> {
  await createRepo({ repo: { type: "model", name: repo }, accessToken: TOKEN, hubUrl: url });
  const started = process.hrtime.bigint();
  await uploadFiles({
    repo: { type: "model", name: repo },
    accessToken: TOKEN,
    hubUrl: url,
    useXet: false,
    files: rels.map((rel) => ({ path: rel, content: pathToFileURL(path.join(folder, rel)) })),
  });
  return Number(process.hrtime.bigint() - started) / 1e9;
}

async function workload(name: string, count: number, size: () => number, withPeer: boolean): Promise<Result> {
  const root = mkdtempSync(path.join(tmpdir(), `hubpush-bench-${name}-`));
  try {
    const folder = path.join(root, "data");
    console.log(`${name}: generating ${count} files…`);
    const { rels, bytes } = generate(folder, count, size);
    // One emulator per side: LFS objects are shared within a data dir, so the second uploader
    // would otherwise find every object already stored.
    const fresh = (side: string) =>
      startEmulator({ dataDir: path.join(root, `hub-${side}`), tokens: [`${TOKEN}:write:bench`] });
    const peerHub = withPeer ? await fresh("peer") : null;
    const emulator = await fresh("hubpush");
    try {
      const tokenFile = path.join(root, "token");
      writeFileSync(tokenFile, TOKEN);
      // Warm the page cache for both sides alike.
      for (const rel of rels) readFileSync(path.join(folder, rel));
      const peerSeconds = peerHub ? await runPeer(peerHub.url, `bench/peer-${name}`, folder, rels) : null;
      await peerHub?.close();
      if (peerSeconds !== null) console.log(`${name}: peer uploadFiles ${peerSeconds.toFixed(1)} s`);
      const env: NodeJS.ProcessEnv = { ...process.env, HUBPUSH_HOME: path.join(root, "home"), NO_COLOR: "1" };
      delete env.HF_TOKEN;
      const run = await runHubpush(
        [
          "upload",
          folder,
          "--repo",
          `bench/hubpush-${name}`,
          "--endpoint",
          emulator.url,
          "--token-file",
          tokenFile,
          "--json",
        ],
        env,
      );
      if (run.code !== 0) throw new Error(`hubpush upload failed (${run.code}):\n${run.out.slice(-2000)}`);
      const status = JSON.parse(run.out.slice(run.out.indexOf("{"))) as { commits: number };
      const result: Result = {
        workload: name,
        files: count,
        bytes,
        hubpushSeconds: run.seconds,
        peerSeconds,
        ratio: peerSeconds === null ? null : run.seconds / peerSeconds,
        hubpushPeakRssMb: run.peakRssMb,
        commits: status.commits,
      };
      console.log(
        `${name}: hubpush ${run.seconds.toFixed(1)} s (${status.commits} commits, peak RSS ${run.peakRssMb.toFixed(0)} MB)` +
          (result.ratio === null ? "" : `, ratio hubpush/peer = ${result.ratio.toFixed(2)}`),
      );
      return result;
    } finally {
      await emulator.close();
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  if (!existsSync(CLI)) throw new Error("build first: npm run build");
  const which = values.workload ?? "all";
  const results: Result[] = [];
  if (which === "w1" || which === "all") {
    results.push(
      await workload("w1", Number(values.files), () => 1024 + Math.floor(Math.random() * 15 * 1024), true),
    );
  }
  if (which === "w2" || which === "all") {
    results.push(await workload("w2", Number(values["w2-count"]), () => Number(values["w2-mb"]) * MiB, true));
  }
  if (which === "rss" || which === "all") {
    results.push(await workload("rss", Number(values["rss-files"]), () => 16, false));
  }
  const outDir = fileURLToPath(new URL("./results/", import.meta.url));
  mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, "upload.json");
  writeFileSync(
    file,
    `${JSON.stringify({ date: new Date().toISOString(), cpus: cpus().length, results }, null, 2)}\n`,
  );
  console.log(`results written to ${file}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
