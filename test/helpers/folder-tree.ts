import { randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

/** Writes files (relative POSIX path → content) under `root`, creating folders. */
export function writeTree(root: string, files: Readonly<Record<string, string | Buffer>>): void {
  for (const [rel, content] of Object.entries(files)) {
    const full = path.join(root, rel);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, content);
  }
}

/** Every regular file under `root` (relative POSIX path → bytes), skipping the listed top-level names. */
export function readTree(root: string, skip: readonly string[] = []): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (dir: string, prefix: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const rel = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
      if (prefix === "" && skip.includes(entry.name)) continue;
      if (entry.isDirectory()) walk(path.join(dir, entry.name), rel);
      else if (entry.isFile()) out.set(rel, readFileSync(path.join(dir, entry.name)));
    }
  };
  walk(root, "");
  return out;
}

/** A deterministic pseudo-random generator (mulberry32), so a failing layout can be replayed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The mixed folder of the engine tests: `small` text files in nested folders (unicode and spaces in
 * some names), empty files, LFS files routed by `*.bin`, and files big enough for multipart.
 */
export function mixedFolder(
  root: string,
  options: {
    small: number;
    empty: number;
    lfs: number;
    lfsBytes: number;
    multipart: number;
    multipartBytes: number;
  },
): void {
  const files: Record<string, string | Buffer> = {};
  for (let i = 0; i < options.small; i++) {
    const dir = `dir-${i % 7}/sub ${i % 3}`;
    const name = i % 50 === 0 ? `ünïcødé-${i}.txt` : `file-${i}.txt`;
    files[`${dir}/${name}`] = `small file ${i}\n${"x".repeat(i % 300)}`;
  }
  for (let i = 0; i < options.empty; i++) files[`empty/empty-${i}.txt`] = "";
  for (let i = 0; i < options.lfs; i++) files[`weights/w${i}.bin`] = randomBytes(options.lfsBytes);
  for (let i = 0; i < options.multipart; i++)
    files[`big/shard-${i}.bin`] = randomBytes(options.multipartBytes);
  files["README.md"] = "# test data\n";
  writeTree(root, files);
}
