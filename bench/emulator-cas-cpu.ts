/**
 * The emulator's CPU per GiB on the Xet path (xorbs + shards: parse, decompress, BLAKE3 every
 * chunk, the xorb hash, store; the §5.8 checks and the LFS bridge) and on the LFS path (one basic
 * PUT per file: SHA-256 and store), without a client beside it: the xorbs and shards are built once
 * in this process, then sent to `hubpush emulator` processes, and only the emulator's user + sys
 * CPU between the first and the last request counts. Several CLIs (`--cli a,b`, e.g. a build of
 * main beside this one) take turns round by round, so load changes hit all alike.
 *
 *   nice node --import tsx bench/emulator-cas-cpu.ts [--files 4] [--mib 128] [--rounds 3]
 *        [--cli dist/cli/main.js,OLD/dist/cli/main.js] [--parallel 2] [--cpu-prof]
 *
 * --cpu-prof runs the emulators of the last round under the profiler and prints where their CPU
 * went (the profiler's own cost then counts in that round's figures).
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { chunkBuffer } from "../xet/chunker.js";
import { sha256HexToRaw } from "../xet/hash-string.js";
import { type Shard, writeShard } from "../xet/shard.js";
import { loadXetHasher } from "../xet/xet-hasher.js";
import { XorbBuilder } from "../xet/xorb.js";
import { summarizeProfiles } from "./lib/cpu-profile-summary.js";
import { startEmulatorProcess, TOKEN } from "./lib/emulator-process.js";
import { readCpuSeconds } from "./lib/run-process.js";

const MiB = 1024 * 1024;
const { values } = parseArgs({
  options: {
    files: { type: "string", default: "4" },
    mib: { type: "string", default: "128" },
    rounds: { type: "string", default: "3" },
    cli: { type: "string", default: "dist/cli/main.js" },
    parallel: { type: "string", default: "2" },
    "cpu-prof": { type: "boolean", default: false },
  },
});
const files = Number(values.files);
const parallel = Number(values.parallel);
const clis = (values.cli ?? "").split(",").map((c) => path.resolve(c));

interface XetFile {
  readonly data: Buffer;
  readonly sha256: string;
  readonly xorbs: { hash: string; body: Uint8Array }[];
  readonly shard: Uint8Array;
}

async function buildFile(size: number): Promise<XetFile> {
  const hasher = await loadXetHasher();
  const data = randomBytes(size);
  const sha256 = createHash("sha256").update(data).digest("hex");
  const built: ReturnType<XorbBuilder["build"]>[] = [];
  let b = new XorbBuilder("auto");
  for (const chunk of chunkBuffer(data)) {
    const h = hasher.chunkHash(chunk);
    if (b.tryAdd(h, chunk) < 0) {
      built.push(b.build(hasher));
      b = new XorbBuilder("auto");
      b.tryAdd(h, chunk);
    }
  }
  built.push(b.build(hasher));
  const shard: Shard = {
    files: [
      {
        fileHash: hasher.fileHash(built.flatMap((x) => x.chunks)),
        terms: built.map((x) => ({
          xorbHash: x.hash,
          unpackedBytes: x.unpackedLength,
          start: 0,
          end: x.chunks.length,
          verification: hasher.verificationHash(x.chunks.map((c) => c.hash)),
        })),
        sha256: sha256HexToRaw(sha256),
      },
    ],
    xorbs: built.map((x) => {
      let start = 0;
      const chunks = x.chunks.map((c) => {
        const entry = { hash: c.hash, start, length: c.length, flags: 0 };
        start += c.length;
        return entry;
      });
      return { hash: x.hash, chunks, unpackedBytes: x.unpackedLength, bytesOnDisk: x.body.length };
    }),
  };
  return {
    data,
    sha256,
    xorbs: built.map((x) => ({ hash: x.hashString, body: x.body })),
    shard: writeShard(shard),
  };
}

async function ok(res: Response, what: string): Promise<Response> {
  if (!res.ok) throw new Error(`${what}: ${res.status} ${await res.text()}`);
  return res;
}

/** Runs `tasks` with at most `n` at once. */
async function pool(n: number, tasks: (() => Promise<unknown>)[]): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < tasks.length) await (tasks[next++] as () => Promise<unknown>)();
    }),
  );
}

async function xetSide(url: string, set: readonly XetFile[]): Promise<void> {
  const auth = { Authorization: `Bearer ${TOKEN}` };
  const tok = (await (
    await ok(await fetch(`${url}/api/models/bench/cpu/xet-write-token/main`, { headers: auth }), "token")
  ).json()) as { accessToken: string; casUrl: string };
  const cas = { Authorization: `Bearer ${tok.accessToken}` };
  for (const f of set) {
    await pool(
      parallel,
      f.xorbs.map((x) => async () => {
        await ok(
          await fetch(`${tok.casUrl}/v1/xorbs/default/${x.hash}`, {
            method: "POST",
            headers: cas,
            body: x.body,
          }),
          "xorb",
        );
      }),
    );
    await ok(
      await fetch(`${tok.casUrl}/v1/shards`, { method: "POST", headers: cas, body: f.shard }),
      "shard",
    );
  }
}

async function lfsSide(url: string, set: readonly XetFile[]): Promise<void> {
  const auth = { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" };
  await pool(
    parallel,
    set.map((f) => async () => {
      const batch = (await (
        await ok(
          await fetch(`${url}/bench/cpu.git/info/lfs/objects/batch`, {
            method: "POST",
            headers: { ...auth, Accept: "application/vnd.git-lfs+json" },
            body: JSON.stringify({
              operation: "upload",
              transfers: ["basic"],
              objects: [{ oid: f.sha256, size: f.data.length }],
            }),
          }),
          "batch",
        )
      ).json()) as {
        objects: { actions?: { upload?: { href: string; header?: Record<string, string> } } }[];
      };
      const up = batch.objects[0]?.actions?.upload;
      if (!up) throw new Error("the LFS batch asked for no upload");
      await ok(await fetch(up.href, { method: "PUT", headers: up.header, body: f.data }), "PUT");
    }),
  );
}

async function measure(
  cli: string,
  side: "xet" | "lfs",
  set: readonly XetFile[],
  profile: boolean,
): Promise<number> {
  const dir = mkdtempSync(path.join(tmpdir(), "emu-cas-cpu-"));
  const profDir = path.join(dir, "prof");
  const hub = await startEmulatorProcess({
    cli,
    dataDir: path.join(dir, "hub"),
    accessLog: path.join(dir, "access.log"),
    cpuProfDir: profile ? profDir : undefined,
  });
  try {
    await ok(
      await fetch(`${hub.url}/api/repos/create`, {
        method: "POST",
        headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
        body: JSON.stringify({ name: "cpu", type: "model" }),
      }),
      "create repo",
    );
    const before = readCpuSeconds(hub.pid) ?? Number.NaN;
    await (side === "xet" ? xetSide(hub.url, set) : lfsSide(hub.url, set));
    return (readCpuSeconds(hub.pid) ?? Number.NaN) - before;
  } finally {
    await hub.close();
    if (profile) summarizeProfiles(profDir, `${side} emulator ${cli}`);
    rmSync(dir, { recursive: true, force: true });
  }
}

const set = await Promise.all(Array.from({ length: files }, () => buildFile(Number(values.mib) * MiB)));
const gib = (files * Number(values.mib)) / 1024;
const results = new Map<string, number[]>();
console.log(
  `emulator-cas-cpu: ${files} × ${values.mib} MiB random, load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);
for (let r = 1; r <= Number(values.rounds); r++) {
  for (const cli of clis) {
    for (const side of ["lfs", "xet"] as const) {
      const profile = values["cpu-prof"] === true && r === Number(values.rounds);
      const perGiB = (await measure(cli, side, set, profile)) / gib;
      const key = `${side} ${cli}`;
      results.set(key, [...(results.get(key) ?? []), perGiB]);
      console.log(`round ${r}: ${key}: ${perGiB.toFixed(2)} CPU-s/GiB, load ${loadavg()[0]?.toFixed(2)}`);
    }
  }
}
for (const [key, list] of results) {
  const sorted = [...list].sort((a, b) => a - b);
  console.log(
    `${key}: best ${sorted[0]?.toFixed(2)}, median ${sorted[Math.floor(sorted.length / 2)]?.toFixed(2)} CPU-s/GiB`,
  );
}
