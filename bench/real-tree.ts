/**
 * W7 (`--workload tree`): peak RSS of `hubpush upload` over a copy of a real system tree (default
 * /usr/share: ~50,000 files with long paths, many small text files and some of tens of MB), run to
 * the end. Target ≤ 250 MB (issue 16 item 3): the bound must hold for any folder, not only for the
 * 16-byte files of W5. The copy is taken with `cp -a` semantics (symlinks kept as links) so the
 * tree's own links are scanned as hubpush would meet them; files the bench cannot read are left out.
 *
 *   node --import tsx bench/run.ts --workload tree [--tree-src /usr/share]
 */
import { cpSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import type { BenchConfig } from "./lib/bench-config.js";
import { makeBenchDir } from "./lib/bench-dir.js";
import { startEmulatorProcess } from "./lib/emulator-process.js";
import { runHubpushUpload } from "./lib/hubpush-cli.js";
import { load, meets, seconds, writeResult } from "./lib/results.js";

const TARGET_MB = 250;

function countTree(root: string): { files: number; bytes: number; largest: number } {
  let files = 0;
  let bytes = 0;
  let largest = 0;
  for (const d of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!d.isFile()) continue;
    const size = statSync(path.join(d.parentPath, d.name)).size;
    files += 1;
    bytes += size;
    largest = Math.max(largest, size);
  }
  return { files, bytes, largest };
}

export async function runTree(config: BenchConfig): Promise<void> {
  const dir = makeBenchDir(config.tmpRoot, "tree", config.keep);
  try {
    const folder = path.join(dir.root, "data");
    const t0 = Date.now();
    cpSync(config.treeSrc, folder, {
      recursive: true,
      verbatimSymlinks: true,
      // Unreadable files would only be skipped entries: leave them out of the copy.
      filter: (src) => {
        try {
          statSync(src);
          return true;
        } catch {
          return false;
        }
      },
    });
    const tree = countTree(folder);
    console.log(
      `tree: copied ${config.treeSrc}: ${tree.files} files, ${(tree.bytes / 2 ** 20).toFixed(0)} MiB (largest ${(tree.largest / 2 ** 20).toFixed(1)} MiB) in ${seconds((Date.now() - t0) / 1000)}`,
    );
    const hub = await startEmulatorProcess({
      cli: config.cli,
      dataDir: path.join(dir.root, "hub"),
      accessLog: path.join(dir.root, "access.log"),
    });
    try {
      const loadBefore = load();
      const run = await runHubpushUpload({
        cli: config.cli,
        home: path.join(dir.root, "home"),
        folder,
        repo: "bench/tree",
        endpoint: hub.url,
      });
      const s = run.status;
      if (run.code !== 0 && s === null) {
        throw new Error(`tree: hubpush failed (exit ${run.code ?? run.signal}):\n${run.stderr.slice(-2000)}`);
      }
      const committed = s?.files.committed.files ?? 0;
      const loadAfter = load();
      const peak = run.peakRssMb;
      console.log(
        `tree: hubpush ${seconds(run.seconds)}, exit ${run.code}, ${committed} files committed, ${s?.files.failed.files ?? 0} failed, ${s?.commits ?? 0} commits; ` +
          `peak RSS ${peak.toFixed(0)} MB (target ≤ ${TARGET_MB} MB${peak <= TARGET_MB ? ", met" : ", NOT met"})`,
      );
      console.log(`tree: load average before ${loadBefore.join(" ")}, after ${loadAfter.join(" ")}`);
      writeResult("tree", config.cli, {
        source: config.treeSrc,
        files: tree.files,
        bytes: tree.bytes,
        largestFileBytes: tree.largest,
        seconds: run.seconds,
        exit: run.code ?? run.signal,
        committedFiles: committed,
        failedFiles: s?.files.failed.files ?? 0,
        commits: s?.commits ?? 0,
        peakRssMb: peak,
        targetMb: TARGET_MB,
        met: meets(peak, `≤ ${TARGET_MB}`),
        loadAverage: { before: loadBefore, after: loadAfter },
      });
    } finally {
      await hub.close();
    }
  } finally {
    dir.remove();
  }
}
