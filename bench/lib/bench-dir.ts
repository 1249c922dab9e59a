import { mkdirSync, mkdtempSync, readdirSync, rmSync, statfsSync } from "node:fs";
import path from "node:path";

export interface BenchDir {
  readonly root: string;
  /** Deletes the folder unless --keep was given. */
  remove(): void;
}

/**
 * A throwaway folder under <repo>/.tmp-bench (git-ignored), not under /tmp: nothing that cleans
 * /tmp can reach it, and its disk is the one the figures are about.
 */
export function makeBenchDir(tmpRoot: string, name: string, keep: boolean): BenchDir {
  mkdirSync(tmpRoot, { recursive: true });
  const root = mkdtempSync(path.join(tmpRoot, `${name}-`));
  return {
    root,
    remove: () => {
      if (keep) console.log(`${name}: kept ${root}`);
      else rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Lists the relative paths of every file under `folder` (the bench's own trees: no symlinks). */
export function listFiles(folder: string): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.relative(folder, path.join(d.parentPath, d.name)));
}

/** Fails early, with the figures, when a workload would not fit on the disk. */
export function assertFreeSpace(dir: string, bytes: number, inodes: number, what: string): void {
  const fs = statfsSync(dir);
  const freeBytes = fs.bavail * fs.bsize;
  if (freeBytes < bytes || fs.ffree < inodes) {
    throw new Error(
      `${what} needs ~${(bytes / 1e9).toFixed(1)} GB and ${inodes} inodes; ${dir} has ${(freeBytes / 1e9).toFixed(1)} GB and ${fs.ffree} inodes free`,
    );
  }
}
