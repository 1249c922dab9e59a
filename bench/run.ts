/**
 * Every benchmark, each printing its figures and a ratio to a baseline measured in the same run,
 * and writing bench/results/<name>.json:
 *
 *   npm run bench                                   # all of them at the sizes (long)
 *   npm run bench -- --quick                        # all of them, small sizes (minutes)
 *   npm run bench -- --workload w1,w3 --files 5000  # a selection, with a size of your own
 *
 * hash: bench/hash.ts; emulator: bench/emulator.ts (both in child processes, their temp files in
 * --tmp). W1/W2: bench/upload.ts. W3: bench/kill-resume.ts. W4: bench/restart.ts. W5:
 * bench/million-files.ts. W6: bench/faults.ts. W7 (Xet dedup): bench/dedup.ts. W2x (W2, --transfer xet vs lfs):
 * bench/xet-vs-lfs.ts. W8: bench/wan.ts. tree (a copy of /usr/share or
 * --tree-src, peak RSS): bench/real-tree.ts. watch: bench/watch.ts (a script of its own, on the
 * dist/ CLI). `--help` lists the size flags.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { runW7 } from "./dedup.js";
import { runW6 } from "./faults.js";
import { runW3 } from "./kill-resume.js";
import { type BenchConfig, parseBenchConfig, type WorkloadName } from "./lib/bench-config.js";
import { load } from "./lib/results.js";
import { runW5 } from "./million-files.js";
import { runTree } from "./real-tree.js";
import { runW4 } from "./restart.js";
import { runW1, runW2 } from "./upload.js";
import { runW8 } from "./wan.js";
import { runW2x } from "./xet-vs-lfs.js";

/** hash.ts and emulator.ts are scripts of their own: run them as they are, in --tmp. */
async function runScript(config: BenchConfig, script: string, args: string[]): Promise<void> {
  mkdirSync(config.tmpRoot, { recursive: true });
  const child = spawn(
    process.execPath,
    ["--import", "tsx", fileURLToPath(new URL(script, import.meta.url)), ...args],
    { stdio: "inherit", env: { ...process.env, TMPDIR: config.tmpRoot } },
  );
  const [code] = (await once(child, "exit")) as [number | null];
  if (code !== 0) throw new Error(`${script} failed (exit ${code})`);
}

const RUNNERS: Record<WorkloadName, (config: BenchConfig) => Promise<void>> = {
  hash: (c) =>
    runScript(c, "./hash.ts", [
      "--mix",
      "all",
      "--total-mb",
      String(c.hashMb),
      "--rounds",
      c.quick ? "1" : "3",
    ]),
  emulator: (c) =>
    runScript(c, "./emulator.ts", ["--size-mb", String(c.emulatorMb), "--runs", c.quick ? "1" : "3"]),
  w1: runW1,
  w2: runW2,
  w3: runW3,
  w4: runW4,
  w5: runW5,
  w6: runW6,
  // bench/watch.ts runs the dist/ CLI and takes its own flags; --quick only shrinks its folder.
  watch: (c) => runScript(c, "./watch.ts", c.quick ? ["--files", "1000", "--bursts", "4"] : []),
  w8: runW8,
  tree: runTree,
  w7: runW7,
  w2x: runW2x,
};

async function main(): Promise<void> {
  let config: BenchConfig | null;
  try {
    config = parseBenchConfig(process.argv.slice(2));
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 2;
    return;
  }
  if (config === null) return;
  console.log(`bench: ${config.workloads.join(", ")} with ${config.cli}; load average ${load().join(" ")}`);
  const failed: string[] = [];
  for (const name of config.workloads) {
    console.log(`\n=== ${name} ===`);
    const started = Date.now();
    try {
      await RUNNERS[name](config);
    } catch (err) {
      // One workload failing (a full disk, a crash) must not hide the others' figures.
      console.error(`${name} FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      failed.push(name);
    }
    console.log(`=== ${name}: ${((Date.now() - started) / 1000).toFixed(0)} s ===`);
  }
  if (failed.length > 0) {
    console.error(`\nfailed: ${failed.join(", ")}`);
    process.exitCode = 1;
  }
}

await main();
