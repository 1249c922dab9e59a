/**
 * Watch-mode benchmark: files created in bursts into a folder a daemon watches.
 *
 *   npm run build && node --import tsx bench/watch.ts [--files 10000] [--bursts 10] [--gap-ms 500]
 *        [--every 0.1] [--stable-ms 10000] [--keep]
 *
 * Figures: the time from the last write to every file committed, the daemon's peak RSS, the
 * commits made. Baseline in the same run: a one-shot `hubpush upload` of the same files (what
 * someone would run by hand once the data stopped arriving). The ratio is latency / baseline; the
 * latency includes the stability wait (a file must be quiet `--stable-ms` before it is hashed,
 * default as in the product: 10 s) and the commit schedule (`--every` minutes).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { ControlClient } from "../daemon/control-client.js";
import type { JobStatusJson } from "../daemon/job-status-json.js";
import { makeBenchDir } from "./lib/bench-dir.js";
import { startEmulatorProcess, TOKEN } from "./lib/emulator-process.js";
import { assertCompleted, runHubpushUpload } from "./lib/hubpush-cli.js";
import { makeTree, smallFiles } from "./lib/make-tree.js";
import { load, seconds, writeResult } from "./lib/results.js";
import { readVmHwmKb } from "./lib/run-process.js";

const { values } = parseArgs({
  options: {
    files: { type: "string", default: "10000" },
    bursts: { type: "string", default: "10" },
    "gap-ms": { type: "string", default: "500" },
    every: { type: "string", default: "0.1" },
    "stable-ms": { type: "string", default: "10000" },
    keep: { type: "boolean", default: false },
  },
});
const FILES = Number(values.files);
const BURSTS = Number(values.bursts);
const GAP_MS = Number(values["gap-ms"]);
const EVERY = values.every;
const STABLE_MS = Number(values["stable-ms"]);
const CLI = fileURLToPath(new URL("../dist/cli/main.js", import.meta.url));
const TMP = fileURLToPath(new URL("../.tmp-bench/", import.meta.url));

function cli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, out }));
  });
}

async function main(): Promise<void> {
  const dir = makeBenchDir(TMP, "watch", values.keep);
  const emulator = await startEmulatorProcess({
    cli: CLI,
    dataDir: path.join(dir.root, "emulator"),
    accessLog: path.join(dir.root, "access.log"),
  });
  let daemon: ChildProcess | null = null;
  try {
    // Baseline: the same files, uploaded once after they all exist.
    const oneShot = path.join(dir.root, "one-shot");
    makeTree(oneShot, [smallFiles(FILES, 7)]);
    const baseline = await runHubpushUpload({
      cli: CLI,
      home: path.join(dir.root, "upload-home", "state"),
      folder: oneShot,
      repo: "bench/watch-baseline",
      endpoint: emulator.url,
    });
    assertCompleted(baseline, FILES, "baseline");
    console.log(`baseline: hubpush upload of ${FILES} files ${seconds(baseline.seconds)}`);

    // The watched run: a daemon of its own, an empty folder, then bursts of files.
    const home = path.join(dir.root, "daemon-home");
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: home,
      HF_HOME: path.join(home, "hf"),
      HUBPUSH_HOME: path.join(home, "state"),
      HF_TOKEN: TOKEN,
      HUBPUSH_TUNING: JSON.stringify({ watchStableMs: STABLE_MS }),
    };
    mkdirSync(path.join(home, "hf"), { recursive: true });
    daemon = spawn(process.execPath, [CLI, "daemon", "run"], { env, stdio: "ignore" });
    const client = new ControlClient(path.join(home, "state", "hubpush.sock"));
    const folder = path.join(dir.root, "watched");
    mkdirSync(folder);
    for (let i = 0; ; i++) {
      if ((await cli(["daemon", "status"], env)).code === 0) break;
      if (i > 200) throw new Error("the daemon did not start");
      await sleep(100);
    }
    const added = await cli(
      ["add", folder, "--repo", "bench/watched", "--endpoint", emulator.url, "--watch", "--every", EVERY],
      env,
    );
    const jobId = Number(/^(\d+)$/m.exec(added.out)?.[1]);
    if (!Number.isSafeInteger(jobId)) throw new Error(`add failed: ${added.out}`);
    const job = async (): Promise<JobStatusJson> =>
      (await client.request<{ job: JobStatusJson }>("GET", `/v1/jobs/get?id=${jobId}`)).job;
    while ((await job()).watch?.watcher !== "events") await sleep(100);

    const perBurst = Math.ceil(FILES / BURSTS);
    const started = Date.now();
    let written = 0;
    for (let b = 0; b < BURSTS; b++) {
      const count = Math.min(perBurst, FILES - written);
      const burst = path.join(folder, `burst-${b}`);
      makeTree(burst, [{ ...smallFiles(count, 100 + b), dirs: 10 }]);
      written += count;
      if (b < BURSTS - 1) await sleep(GAP_MS);
    }
    const lastWrite = Date.now();
    console.log(
      `watched: ${written} files written in ${BURSTS} bursts over ${seconds((lastWrite - started) / 1000)}`,
    );
    let status = await job();
    while (status.files.committed.files < written) {
      if (Date.now() - lastWrite > 30 * 60_000)
        throw new Error(`not committed after 30 min: ${JSON.stringify(status.files)}`);
      await sleep(200);
      status = await job();
    }
    const latency = (Date.now() - lastWrite) / 1000;
    const rssMb = daemon.pid === undefined ? 0 : readVmHwmKb(daemon.pid) / 1024;
    await client.close();
    const ratio = latency / baseline.seconds;
    console.log(
      `watched: last write → all ${written} committed in ${seconds(latency)} ` +
        `(stability wait ${STABLE_MS / 1000} s, --every ${EVERY} min, ${status.commits} commits), daemon peak RSS ${rssMb.toFixed(0)} MB`,
    );
    console.log(`ratio latency / one-shot upload: ${ratio.toFixed(2)}; load ${load().join(" ")}`);
    writeResult("watch", CLI, {
      files: written,
      bursts: BURSTS,
      gapMs: GAP_MS,
      everyMinutes: Number(EVERY),
      stableMs: STABLE_MS,
      baselineSeconds: baseline.seconds,
      lastWriteToCommittedSeconds: latency,
      ratio,
      commits: status.commits,
      daemonPeakRssMb: Math.round(rssMb),
      load: load(),
    });
  } finally {
    daemon?.kill("SIGTERM");
    if (daemon !== null && daemon.exitCode === null) await new Promise((r) => daemon?.once("exit", r));
    await emulator.close();
    dir.remove();
  }
}

await main();
