import { randomFillSync } from "node:crypto";
import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from "node:fs";
import path from "node:path";
// The tests' mulberry32: the same seed gives the same sizes, so runs are comparable.
import { prng } from "../../test/helpers/folder-tree.js";

const MiB = 1024 * 1024;

export interface TreeSpec {
  /** Files written, named d<k>/f<i>.dat over `dirs` folders. */
  readonly count: number;
  /** Size of file i (bytes). */
  readonly size: (i: number) => number;
  /** Folders the files are spread over (default 200). */
  readonly dirs?: number;
  /** Name prefix, so several specs can share one folder. */
  readonly prefix?: string;
}

export interface Tree {
  readonly files: number;
  readonly bytes: number;
}

/**
 * Writes incompressible files (random bytes, so no layer below can cheat). Big files are written
 * in 16 MiB chunks, never held whole. Synchronous: it is the fastest way to create many files.
 */
export function makeTree(folder: string, specs: readonly TreeSpec[]): Tree {
  let files = 0;
  let bytes = 0;
  const chunk = Buffer.allocUnsafe(16 * MiB);
  for (const spec of specs) {
    const dirs = Math.max(1, Math.min(spec.dirs ?? 200, spec.count));
    for (let d = 0; d < dirs; d++)
      mkdirSync(path.join(folder, `${spec.prefix ?? ""}d${d}`), { recursive: true });
    for (let i = 0; i < spec.count; i++) {
      const full = path.join(folder, `${spec.prefix ?? ""}d${i % dirs}`, `f${i}.dat`);
      const n = spec.size(i);
      const fd = openSync(full, "w");
      try {
        for (let w = 0; w < n; ) {
          const len = Math.min(chunk.length, n - w);
          randomFillSync(chunk, 0, len);
          w += writeSync(fd, chunk, 0, len);
        }
      } finally {
        closeSync(fd);
      }
      files += 1;
      bytes += n;
    }
  }
  return { files, bytes };
}

/** Small files of 1–16 KiB with seeded sizes (W1, W3, W6). */
export function smallFiles(count: number, seed = 1): TreeSpec {
  const sizes = prng(seed);
  return { count, size: () => 1024 + Math.floor(sizes() * 15 * 1024) };
}

/** Reads every file once so both contenders start from the same warm page cache. */
export function warmTree(folder: string, rels: Iterable<string>): void {
  for (const rel of rels) readFileSync(path.join(folder, rel));
}
