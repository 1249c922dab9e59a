/**
 * `npm run demo`: the main job end to end on this machine, nothing leaving loopback. Starts the
 * emulator, builds a sample folder, runs the daemon in a temporary HUBPUSH_HOME, enqueues the
 * folder, SIGKILLs the daemon midway and starts it again to show the resume, verifies every byte by
 * downloading it back, prints a summary and cleans up.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ControlClient } from "../daemon/control-client.js";
import type { JobStatusJson } from "../daemon/job-status-json.js";
import { startEmulator } from "../emulator/start-emulator.js";

const MiB = 1024 * 1024;
const CLI = fileURLToPath(new URL("../cli/main.ts", import.meta.url));
const TOKEN = "hf_demo_write_token";
const REPO = "demo/sample-dataset";

function cli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", CLI, ...args], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, out: out.trim() }));
  });
}

function human(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB"];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(u === 0 ? 0 : 1)} ${units[u]}`;
}

function line(s: JobStatusJson): string {
  const f = s.files;
  const done = f.committed.bytes + f.skipped.bytes;
  const pct = s.total.bytes === 0 ? 100 : Math.floor((100 * done) / s.total.bytes);
  return `  ${s.state.padEnd(7)} ${String(pct).padStart(3)}%  hashed ${s.total.files - f.scanned.files}/${s.total.files}  uploaded ${f.uploaded.files + f.committing.files + f.committed.files}  committed ${f.committed.files}/${s.total.files} (${human(done)} of ${human(s.total.bytes)})  commits ${s.commits}`;
}

function buildFolder(folder: string): { files: number; bytes: number } {
  let bytes = 0;
  const put = (rel: string, content: Buffer | string): void => {
    const full = path.join(folder, rel);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, content);
    bytes += Buffer.byteLength(content);
  };
  for (let i = 0; i < 300; i++)
    put(
      `data/shard-${String(i % 10).padStart(2, "0")}/row-${i}.json`,
      JSON.stringify({ i, text: "x".repeat(i * 7) }),
    );
  for (let i = 0; i < 3; i++) put(`weights/part-${i}.bin`, randomBytes(2 * MiB + i));
  put("checkpoints/model.safetensors", randomBytes(24 * MiB));
  put("README.md", "# sample dataset\n\nUploaded by the hubpush demo.\n");
  return { files: 305, bytes };
}

async function main(): Promise<void> {
  const started = Date.now();
  const root = mkdtempSync(path.join(tmpdir(), "hubpush-demo-"));
  const home = path.join(root, "home");
  const folder = path.join(root, "sample");
  const tokenFile = path.join(root, "token");
  writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
  const emulator = await startEmulator({
    dataDir: path.join(root, "hub"),
    tokens: [`${TOKEN}:write:demo`],
    multipartThresholdBytes: 8 * MiB,
    multipartChunkBytes: 2 * MiB,
    // A little latency on multipart parts, so the crash lands while the big file is in flight.
    faults: "route=lfs-part,kind=latency,ms=120",
  });
  const env: NodeJS.ProcessEnv = { ...process.env, HUBPUSH_HOME: home, NO_COLOR: "1" };
  delete env.HF_TOKEN;
  let daemonUp = false;
  try {
    console.log(`hubpush demo — emulator at ${emulator.url}, state in ${home}`);
    const sample = buildFolder(folder);
    console.log(
      `sample folder: ${sample.files} files, ${human(sample.bytes)} (small JSON, 3 LFS files, one 24 MiB multipart file)`,
    );

    const start = await cli(["daemon", "start"], env);
    if (start.code !== 0) throw new Error(`daemon start failed:\n${start.out}`);
    daemonUp = true;
    // `daemon start` already says "daemon started (pid …), socket …": print it as it is.
    console.log(start.out.split("\n")[0]);
    const add = await cli(
      [
        "add",
        folder,
        "--repo",
        REPO,
        "--repo-type",
        "dataset",
        "--endpoint",
        emulator.url,
        "--token-file",
        tokenFile,
      ],
      env,
    );
    if (add.code !== 0) throw new Error(`add failed:\n${add.out}`);
    const jobId = Number(add.out.match(/\d+/)?.[0]);
    console.log(`job ${jobId} added: ${folder} → ${REPO}`);

    const client = new ControlClient(path.join(home, "hubpush.sock"));
    let killed = false;
    let status: JobStatusJson | null = null;
    for (;;) {
      try {
        status = (await client.request<{ job: JobStatusJson }>("GET", `/v1/jobs/get?id=${jobId}`)).job;
      } catch {
        await new Promise((r) => setTimeout(r, 200));
        continue;
      }
      console.log(line(status));
      if (status.state !== "active") break;
      const uploadedBig =
        status.files.uploaded.bytes + status.files.committed.bytes > 0 || status.files.planned.files === 0;
      if (
        !killed &&
        status.files.hashed.files + status.files.scanned.files === 0 &&
        uploadedBig &&
        status.files.committed.files < status.total.files
      ) {
        const pid = Number(readFileSync(path.join(home, "daemon.lock"), "utf8").split("\n")[0]);
        process.kill(pid, "SIGKILL");
        killed = true;
        console.log(
          `\n💥 SIGKILL sent to the daemon (pid ${pid}) midway — no clean shutdown, no chance to save anything\n`,
        );
        await new Promise((r) => setTimeout(r, 300));
        const again = await cli(["daemon", "start"], env);
        if (again.code !== 0) throw new Error(`daemon restart failed:\n${again.out}`);
        console.log("daemon started again: the job resumes from the journal\n");
      }
      await new Promise((r) => setTimeout(r, 400));
    }
    await client.close();
    if (status?.state !== "done")
      throw new Error(
        `the job ended ${status?.state}: ${JSON.stringify(status?.blocked ?? status?.lastError)}`,
      );

    // Verify: every file downloaded back from the emulator equals the local bytes.
    let checked = 0;
    const walk = (dir: string, prefix: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? walk(path.join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`],
      );
    for (const rel of walk(folder, "")) {
      const res = await fetch(
        `${emulator.url}/datasets/${REPO}/resolve/main/${rel.split("/").map(encodeURIComponent).join("/")}`,
        {
          headers: { authorization: `Bearer ${TOKEN}` },
        },
      );
      const remote = Buffer.from(await res.arrayBuffer());
      if (!remote.equals(readFileSync(path.join(folder, rel)))) throw new Error(`${rel} differs on the Hub`);
      checked++;
    }
    const hashedTwice = status.bytesHashed - sample.bytes;
    console.log(`\n✅ verified: all ${checked} files downloaded back byte-identical`);
    console.log(
      `   ${status.files.committed.files} files, ${human(status.files.committed.bytes)} in ${status.commits} commits, ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    console.log(
      `   bytes hashed twice after the crash: ${human(Math.max(0, hashedTwice))} (only work that was in flight)`,
    );
    console.log(`   repo: ${emulator.url}/datasets/${REPO}`);
  } finally {
    if (daemonUp) await cli(["daemon", "stop"], env);
    await emulator.close();
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(
    `demo failed: ${err instanceof Error ? `${err.message} ${String(err.cause ?? "")}` : String(err)}`,
  );
  process.exitCode = 1;
});
