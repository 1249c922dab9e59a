/**
 * Item 1 of issue 16: system calls per file of a W1-like upload (FILES files of 1–16 KiB), counted
 * by `strace -f -c` (all threads), for each CLI given (e.g. this build and an older one), each into
 * a fresh emulator. Prints the futex calls per file and the total. strace slows the run down a lot:
 * only the counts mean something, not the times.
 *
 *   node --import tsx bench/strace-w1.ts .tmp-bench/st 2000 dist/cli/main.js OLD/dist/cli/main.js
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { startEmulatorProcess, TOKEN } from "./lib/emulator-process.js";
import { binNodeFlags } from "./lib/hubpush-cli.js";
import { makeTree, smallFiles } from "./lib/make-tree.js";

const [root, n, ...clis] = process.argv.slice(2);
if (root === undefined || n === undefined || clis.length === 0) {
  throw new Error("usage: node --import tsx bench/strace-w1.ts EMPTY_DIR FILES CLI [CLI…]");
}
const folder = path.join(root, "data");
makeTree(folder, [smallFiles(Number(n))]);
writeFileSync(path.join(root, "token"), TOKEN);
for (const cli of clis) {
  const label = `cli${clis.indexOf(cli) + 1}`;
  const hub = await startEmulatorProcess({
    cli,
    dataDir: path.join(root, `hub-${label}`),
    accessLog: path.join(root, `${label}.log`),
  });
  try {
    const home = path.join(root, `home-${label}`);
    mkdirSync(home, { recursive: true });
    const out = path.join(root, `strace-${label}.txt`);
    const t = Date.now();
    execFileSync(
      "strace",
      [
        "-f",
        "-c",
        "-o",
        out,
        process.execPath,
        ...binNodeFlags(cli),
        cli,
        "upload",
        folder,
        "--repo",
        `bench/${label}`,
        "--endpoint",
        hub.url,
        "--token-file",
        path.join(root, "token"),
        "--json",
      ],
      { env: { ...process.env, HUBPUSH_HOME: home }, stdio: ["ignore", "ignore", "inherit"] },
    );
    const text = readFileSync(out, "utf8");
    const futex = text.split("\n").find((l) => l.trim().endsWith("futex"));
    const total = text.split("\n").find((l) => l.includes("total"));
    console.log(
      `${label}: ${((Date.now() - t) / 1000).toFixed(1)} s under strace; futex: ${futex?.trim()}; total: ${total?.trim()}; per file: futex ${(Number(futex?.trim().split(/\s+/)[3]) / Number(n)).toFixed(1)}`,
    );
  } finally {
    await hub.close();
  }
}
