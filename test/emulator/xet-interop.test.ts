import { type ChildProcess, spawn } from "node:child_process";
import { createCipheriv, createHash } from "node:crypto";
import { once } from "node:events";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { createRepo, downloadFile, uploadFiles } from "@huggingface/hub";
import t from "tap";
import { type AccessLogEntry, readAccessLog } from "./fixtures/read-access-log.js";

/**
 * Interop with a Xet client we did not write: @huggingface/hub 2.17.5 (`useXet: true`, its default)
 * uploads through the emulator's LFS batch `xet` answer, write token, xorb and shard routes, and the
 * bytes come back identical through `resolve`. A second upload of an edited file dedups through the
 * global chunk query and sends a fraction of the bytes.
 */
const TOKEN = "hf_xet_interop";
const MiB = 1024 * 1024;
const accessLog = join(t.testdir(), "access.jsonl");
const emu = { url: "" };
let child: ChildProcess | undefined;
let hub: { hubUrl: string; accessToken: string };

// The emulator runs as its own process (`hubpush emulator`), as in production: the client's
// synchronous chunking must not stall the server's event loop (and its keep-alive timers).
t.before(async () => {
  const dir = t.testdir();
  const script = join(dir, "run.mts");
  const command = resolve(import.meta.dirname, "../../emulator/emulator-command.ts");
  writeFileSync(
    script,
    `import { emulatorCommand } from ${JSON.stringify(command)};\nprocess.exitCode = await emulatorCommand(process.argv.slice(2));\n`,
  );
  const args = [
    "--port",
    "0",
    "--token",
    `${TOKEN}:write:user`,
    "--access-log",
    accessLog,
    "--lfs-threshold",
    "0",
  ];
  child = spawn(process.execPath, ["--import", "tsx", script, ...args], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  if (!child.stdout) throw new Error("no stdout");
  [emu.url] = (await once(createInterface({ input: child.stdout }), "line")) as [string];
  hub = { hubUrl: emu.url, accessToken: TOKEN };
});
t.teardown(async () => {
  if (transportRetries > 0) t.comment(`${transportRetries} request(s) re-sent after a broken connection`);
  if (!child || child.exitCode !== null) return;
  child.kill("SIGTERM");
  await once(child, "exit");
});

/** Fast deterministic pseudo-random bytes (AES-CTR keystream). */
function noise(n: number, seed: number): Buffer {
  const key = createHash("sha256").update(`seed ${seed}`).digest();
  return createCipheriv("aes-256-ctr", key, Buffer.alloc(16)).update(Buffer.alloc(n));
}

/** Half noise, half float-like little-endian integers, so LZ4 and BG4 both get used. */
function mixed(n: number, seed: number): Buffer {
  const out = noise(n, seed);
  for (let i = Math.floor(n / 2) & ~3; i + 4 <= n; i += 4) out.writeUInt32LE((i * 2654435761) % 4096, i);
  return out;
}

const sha = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");

/**
 * fetch that re-sends a request once or twice when the *connection* broke (reset, EPIPE, closed
 * socket), never on an HTTP status. Every Xet request is idempotent by content hash (§6). Needed
 * because @huggingface/hub retries nothing and, when its synchronous chunking blocks its event loop
 * for seconds on a loaded machine, it reuses keep-alive sockets the server already closed. HTTP
 * errors still fail the test, and `transportRetries` is reported.
 */
let transportRetries = 0;
const resilientFetch: typeof fetch = async (input, init) => {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fetch(input, init);
    } catch (err) {
      const code = String((err as { cause?: { code?: unknown } }).cause?.code ?? "");
      if (attempt >= 2 || !/ECONNRESET|EPIPE|UND_ERR_SOCKET/.test(code)) throw err;
      transportRetries++;
    }
  }
};

async function logSince(count: number): Promise<AccessLogEntry[]> {
  return (await readAccessLog(accessLog)).slice(count);
}

async function upload(repo: string, files: Record<string, Buffer>): Promise<void> {
  await uploadFiles({
    ...hub,
    repo: { type: "model", name: repo },
    useXet: true,
    fetch: resilientFetch,
    files: Object.entries(files).map(([path, content]) => ({ path, content: new Blob([content]) })),
  });
}

async function download(repo: string, path: string): Promise<Buffer> {
  const blob = await downloadFile({
    ...hub,
    repo: { type: "model", name: repo },
    path,
    fetch: resilientFetch,
  });
  if (!blob) throw new Error(`${path} not found`);
  return Buffer.from(await blob.arrayBuffer());
}

t.test("uploads of 0 B … 150 MiB through Xet come back byte-identical", async (t) => {
  const repo = "user/xet-sizes";
  await createRepo({ ...hub, repo: { type: "model", name: repo } });
  const files: Record<string, Buffer> = {
    "empty.bin": Buffer.alloc(0),
    "one.bin": Buffer.from([42]),
    "small.bin": mixed(100 * 1024, 1),
    "twenty.bin": mixed(20 * MiB, 2),
    "big.bin": noise(150 * MiB, 3),
  };
  const before = (await readAccessLog(accessLog)).length;
  await upload(repo, files);
  const log = await logSince(before);
  const routes = new Set(log.map((e) => e.route));
  t.ok(routes.has("xet-xorb") && routes.has("xet-shard"), "the client took the Xet path");
  t.notOk(routes.has("lfs-put") || routes.has("lfs-part"), "no classic LFS transfer");
  t.same(
    log
      .filter((e) => e.route.startsWith("xet-") && e.status >= 400 && e.route !== "xet-dedup")
      .map((e) => `${e.route} ${e.status}`),
    [],
    "no CAS request was refused (a dedup miss is a 404 by design)",
  );
  const mark = (await readAccessLog(accessLog)).length;
  for (const [path, content] of Object.entries(files)) {
    const back = await download(repo, path);
    t.equal(back.length, content.length, `${path}: size, @huggingface/hub download`);
    t.equal(sha(back), sha(content), `${path}: same bytes, @huggingface/hub download`);
    const plain = Buffer.from(await (await fetch(`${emu.url}/${repo}/resolve/main/${path}`)).arrayBuffer());
    t.equal(sha(plain), sha(content), `${path}: same bytes, plain resolve`);
  }
  const reads = new Set((await logSince(mark)).map((e) => e.route));
  t.ok(
    reads.has("xet-reconstruction") && reads.has("xet-fetch"),
    "the client downloaded through its Xet path",
  );
  const tree = (await (await fetch(`${emu.url}/api/models/${repo}/tree/main`)).json()) as {
    path: string;
    xetHash?: string;
  }[];
  const twenty = tree.find((e) => e.path === "twenty.bin");
  t.match(twenty?.xetHash, /^[0-9a-f]{64}$/, "tree shows xetHash for a Xet file");
});

t.test("an edited re-upload dedups through the global chunk query", async (t) => {
  const repo = "user/xet-dedup";
  await createRepo({ ...hub, repo: { type: "model", name: repo } });
  const original = noise(24 * MiB, 9);
  const xorbBytes = (entries: AccessLogEntry[]): number =>
    entries
      .filter((e) => e.route === "xet-xorb" && e.method === "POST")
      .reduce((sum, e) => sum + e.bytesIn, 0);

  let mark = (await readAccessLog(accessLog)).length;
  await upload(repo, { "data.bin": original });
  const first = xorbBytes(await logSince(mark));

  const edited = Buffer.from(original);
  noise(4096, 10).copy(edited, 12 * MiB);
  mark = (await readAccessLog(accessLog)).length;
  await upload(repo, { "data.bin": edited });
  const log = await logSince(mark);
  const second = xorbBytes(log);
  t.ok(
    log.some((e) => e.route === "xet-dedup" && e.status === 200),
    "the dedup query found the first upload",
  );
  t.ok(first >= original.length, `first upload sent every byte (${first})`);
  t.ok(second < 2 * MiB, `re-upload sent ${second} bytes of xorbs, a fraction of ${original.length}`);
  t.equal(sha(await download(repo, "data.bin")), sha(edited), "the edited file reads back identical");
});
