import { lstatSync, readdirSync } from "node:fs";
import { lstat, readdir } from "node:fs/promises";
import path from "node:path";

export interface WalkResult {
  readonly files: number;
  readonly bytes: number;
}

/**
 * W4's baseline: the simplest recursive walk in Node, readdir + lstat of every entry, one call at
 * a time through the promise API (as hubpush's scan does: it needs each file's stat).
 */
export async function statWalk(root: string): Promise<WalkResult> {
  let files = 0;
  let bytes = 0;
  const dirs = [root];
  for (let dir = dirs.pop(); dir !== undefined; dir = dirs.pop()) {
    for (const name of await readdir(dir)) {
      const full = path.join(dir, name);
      const st = await lstat(full, { bigint: true });
      if (st.isDirectory()) dirs.push(full);
      else if (st.isFile()) {
        files += 1;
        bytes += Number(st.size);
      }
    }
  }
  return { files, bytes };
}

/** The same walk with the synchronous calls: no thread-pool round trip per file, the fastest Node can do simply. */
export function statWalkSync(root: string): WalkResult {
  let files = 0;
  let bytes = 0;
  const dirs = [root];
  for (let dir = dirs.pop(); dir !== undefined; dir = dirs.pop()) {
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      const st = lstatSync(full, { bigint: true });
      if (st.isDirectory()) dirs.push(full);
      else if (st.isFile()) {
        files += 1;
        bytes += Number(st.size);
      }
    }
  }
  return { files, bytes };
}
