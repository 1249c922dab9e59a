import { spawn } from "node:child_process";
import { createHash, randomFillSync } from "node:crypto";
import { once } from "node:events";
import { createReadStream } from "node:fs";
import { mkdir, mkdtemp, open, rm, writeFile } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { request } from "undici";
import { startEmulator } from "../emulator/start-emulator.js";

// Benchmark: one LFS object through the emulator (batch + basic PUT over loopback) against the
// baseline of hashing the same bytes with node:crypto sha256, both from a warm page cache, in the
// same run. Target: PUT / hash <= ~1.5 (the emulator hashes and writes while it receives).
// The emulator runs in a child process by default, as it does beside a real client; --in-process
// puts client and server on one event loop instead. Wall time is the figure that counts; CPU time
// (client + emulator) is reported too because it is far less disturbed by other load on the machine.
// Usage: node --import tsx bench/emulator.ts [--size-mb 1024] [--runs 3] [--in-process]

const MiB = 1024 * 1024;
const READ_CHUNK = MiB;
const TOKEN = "hf_bench_write";

const { values } = parseArgs({
  options: {
    "size-mb": { type: "string", default: "1024" },
    runs: { type: "string", default: "3" },
    "in-process": { type: "boolean", default: false },
    /** Internal: run only the emulator (the child side of the default mode). */
    serve: { type: "boolean", default: false },
  },
});
const size = Math.round(Number(values["size-mb"]) * MiB);
const runs = Number(values.runs);
if (!Number.isInteger(size) || size <= 0 || !Number.isInteger(runs) || runs <= 0) {
  throw new Error(`--size-mb and --runs must be positive numbers (got ${values["size-mb"]}, ${values.runs})`);
}
const emulatorOptions = { tokens: [TOKEN], multipartThresholdBytes: size + 1 };

function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

async function generate(file: string): Promise<void> {
  const handle = await open(file, "w");
  try {
    const buf = Buffer.alloc(16 * MiB);
    for (let written = 0; written < size; ) {
      const n = Math.min(buf.length, size - written);
      randomFillSync(buf, 0, n);
      await handle.write(buf, 0, n);
      written += n;
    }
  } finally {
    await handle.close();
  }
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file, { highWaterMark: READ_CHUNK }))
    hash.update(chunk as Buffer);
  return hash.digest("hex");
}

async function postJson(url: string, body: unknown, contentType = "application/json"): Promise<unknown> {
  const res = await request(url, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": contentType, accept: contentType },
    body: JSON.stringify(body),
  });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`POST ${url} answered ${res.statusCode}: ${text}`);
  return JSON.parse(text);
}

interface BatchAnswer {
  objects: Array<{ actions?: { upload?: { href: string; header?: Record<string, string> | null } } }>;
}

async function lfsBatch(baseUrl: string, oid: string): Promise<BatchAnswer> {
  return (await postJson(
    `${baseUrl}/user/bench.git/info/lfs/objects/batch`,
    { operation: "upload", transfers: ["basic", "multipart"], hash_algo: "sha256", objects: [{ oid, size }] },
    "application/vnd.git-lfs+json",
  )) as BatchAnswer;
}

interface Launched {
  readonly url: string;
  /** CPU seconds the emulator used so far when it runs in its own process (0 in-process). */
  serverCpu(): Promise<number>;
  close(): Promise<void>;
}

/**
 * A fresh emulator (own temp data dir, deleted on close), in this process or in a child. The child
 * prints its URL, answers a "cpu" line with its CPU seconds, and closes when its stdin ends.
 */
async function launchEmulator(): Promise<Launched> {
  if (values["in-process"]) {
    const emu = await startEmulator(emulatorOptions);
    return { url: emu.url, serverCpu: async () => 0, close: () => emu.close() };
  }
  const script = fileURLToPath(import.meta.url);
  const args = [...process.execArgv, script, "--serve", "--size-mb", String(values["size-mb"])];
  const child = spawn(process.execPath, args, { stdio: ["pipe", "pipe", "inherit"] });
  const exited = once(child, "exit");
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const nextLine = async (): Promise<string> => {
    const line = await lines.next();
    if (line.done === true) throw new Error("the emulator child process ended unexpectedly");
    return String(line.value).trim();
  };
  const url = await nextLine();
  return {
    url,
    serverCpu: async () => {
      child.stdin.write("cpu\n");
      return Number(await nextLine());
    },
    close: async () => {
      child.stdin.end();
      await exited;
    },
  };
}

async function serve(): Promise<void> {
  const emu = await startEmulator(emulatorOptions);
  process.stdout.write(`${emu.url}\n`);
  for await (const line of createInterface({ input: process.stdin })) {
    if (line.trim() === "cpu") process.stdout.write(`${cpuSeconds()}\n`);
  }
  await emu.close();
}

interface Measured {
  readonly wall: number;
  readonly cpu: number;
}

async function measureHash(file: string, oid: string): Promise<Measured> {
  const cpu0 = cpuSeconds();
  const start = performance.now();
  if ((await sha256File(file)) !== oid) throw new Error("the file changed between two hashes");
  return { wall: (performance.now() - start) / 1000, cpu: cpuSeconds() - cpu0 };
}

/** LFS batch + basic PUT of the whole file through a fresh emulator: wall and CPU (both sides). */
async function measurePut(file: string, oid: string): Promise<Measured> {
  const emu = await launchEmulator();
  try {
    await postJson(`${emu.url}/api/repos/create`, { name: "bench", organization: "user", type: "model" });
    const server0 = await emu.serverCpu();
    const cpu0 = cpuSeconds();
    const start = performance.now();
    const upload = (await lfsBatch(emu.url, oid)).objects[0]?.actions?.upload;
    if (upload === undefined || upload.header?.chunk_size !== undefined) {
      throw new Error("the emulator did not answer with a basic upload action");
    }
    const res = await request(upload.href, {
      method: "PUT",
      headers: { "content-length": String(size) },
      body: createReadStream(file, { highWaterMark: READ_CHUNK }),
    });
    const text = await res.body.text();
    if (res.statusCode < 200 || res.statusCode > 299)
      throw new Error(`PUT answered ${res.statusCode}: ${text}`);
    const wall = (performance.now() - start) / 1000;
    const cpu = cpuSeconds() - cpu0 + ((await emu.serverCpu()) - server0);
    if ((await lfsBatch(emu.url, oid)).objects[0]?.actions !== undefined) {
      throw new Error("after the PUT the emulator still asks for the object: it was not stored");
    }
    return { wall, cpu };
  } finally {
    await emu.close();
  }
}

function stats(samples: readonly number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const best = sorted[0] ?? Number.NaN;
  const median = sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
  return { samples, best, median, bestMiBps: size / MiB / best };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "hubpush-bench-emulator-"));
  try {
    const file = join(dir, "object.bin");
    console.error(`generating ${size} random bytes in ${file}`);
    await generate(file);
    const oid = await sha256File(file); // also warms the page cache
    const loadStart = loadavg()[0] ?? Number.NaN;
    const hashes: Measured[] = [];
    const puts: Measured[] = [];
    // Interleaved so that drift (thermal, other load) hits both sides alike.
    for (let i = 0; i < runs; i++) {
      hashes.push(await measureHash(file, oid));
      puts.push(await measurePut(file, oid));
    }
    const hashWall = stats(hashes.map((m) => m.wall));
    const putWall = stats(puts.map((m) => m.wall));
    const hashCpu = stats(hashes.map((m) => m.cpu));
    const putCpu = stats(puts.map((m) => m.cpu));
    const result = {
      bench: "emulator",
      date: new Date().toISOString(),
      node: process.version,
      platform: `${process.platform}/${process.arch}`,
      cpu: cpus()[0]?.model ?? "unknown",
      cores: cpus().length,
      // Other processes skew wall times; the 1-minute load average says how busy the machine was.
      loadAverage1m: { start: loadStart, end: loadavg()[0] },
      sizeBytes: size,
      runs,
      emulator: values["in-process"] ? "in-process" : "child process",
      wallSeconds: { hashSha256: hashWall, emulatorBatchAndPut: putWall },
      cpuSeconds: { hashSha256: hashCpu, emulatorBatchAndPut: putCpu },
      ratioWallBest: putWall.best / hashWall.best,
      ratioWallMedian: putWall.median / hashWall.median,
      ratioCpuMedian: putCpu.median / hashCpu.median,
      target: 1.5,
    };
    const fmt = (s: ReturnType<typeof stats>) =>
      `best ${s.best.toFixed(3)} s (${s.bestMiBps.toFixed(0)} MiB/s), median ${s.median.toFixed(3)} s`;
    console.log(
      `object ${(size / MiB).toFixed(0)} MiB, ${runs} run(s), emulator ${result.emulator}, ` +
        `load average ${loadStart.toFixed(1)} on ${cpus().length} cores`,
    );
    console.log(
      `sha256 (node:crypto, streamed)  wall ${fmt(hashWall)}; cpu median ${hashCpu.median.toFixed(3)} s`,
    );
    console.log(
      `emulator LFS batch + basic PUT  wall ${fmt(putWall)}; cpu median ${putCpu.median.toFixed(3)} s`,
    );
    console.log(
      `ratio PUT/hash: wall best ${result.ratioWallBest.toFixed(2)}, wall median ${result.ratioWallMedian.toFixed(2)}, ` +
        `cpu median ${result.ratioCpuMedian.toFixed(2)} (target <= 1.5)`,
    );
    const resultsDir = new URL("./results/", import.meta.url);
    await mkdir(resultsDir, { recursive: true });
    await writeFile(new URL("emulator.json", resultsDir), `${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (values.serve) await serve();
else await main();
