import type { BigIntStats } from "node:fs";
import { lstat, realpath, stat } from "node:fs/promises";
import { relative, sep } from "node:path";
import type { ErrorCode } from "../../common/error-codes.js";
import { toFileStat } from "../hash/to-file-stat.js";
import type { PathFilter } from "./path-filter.js";
import type { ScanEntry } from "./scan-entry.js";

/**
 * Policy: a symlink to a regular file inside the folder is uploaded under the link's path with the
 * target's content and stat. Links to directories are not followed (no loop detection needed, and
 * no file is uploaded twice through two paths); links leaving the folder, dangling links and loops
 * are reported. A target in a hidden place (.git, the state dir) is dropped silently, like the
 * place itself. null: nothing to report (the link or its target vanished meanwhile, or hidden).
 */
export async function resolveSymlink(
  root: string,
  absPath: string,
  relPath: string,
  filter: PathFilter,
): Promise<ScanEntry | null> {
  let target: string;
  try {
    target = await realpath(absPath);
  } catch (err) {
    const errno = (err as NodeJS.ErrnoException).code;
    if (errno === "ELOOP") {
      return skipped(
        relPath,
        "ERR_SYMLINK_LOOP",
        "the symlink loops (following it never reaches a file); fix or remove it",
      );
    }
    if (errno === "ENOENT" || errno === "ENOTDIR") {
      if (!(await exists(absPath))) return null;
      return skipped(relPath, "ERR_SYMLINK_LOOP", "the symlink is broken (its target does not exist)");
    }
    return skipped(relPath, "ERR_FILE_UNREADABLE", `the symlink cannot be resolved (${errno ?? "error"})`);
  }
  const prefix = root.endsWith(sep) ? root : root + sep;
  if (target !== root && !target.startsWith(prefix)) {
    return skipped(
      relPath,
      "ERR_SYMLINK_ESCAPES",
      `the symlink points outside the folder (to ${target}); copy the file into the folder to upload it`,
    );
  }
  const targetRel = relative(root, target).split(sep).join("/");
  if (filter.isHidden(targetRel, target)) return null;
  let st: BigIntStats;
  try {
    st = await stat(target, { bigint: true });
  } catch {
    return null; // the target went away after realpath
  }
  if (st.isDirectory()) {
    return skipped(relPath, "ERR_FILE_NOT_REGULAR", "symlink to a directory is not followed");
  }
  if (!st.isFile()) {
    return skipped(
      relPath,
      "ERR_FILE_NOT_REGULAR",
      "the symlink points to a special file (FIFO, socket, device)",
    );
  }
  return { kind: "file", file: { path: relPath, ...toFileStat(st) } };
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

function skipped(path: string, code: ErrorCode, reason: string): ScanEntry {
  return { kind: "skipped", path, code, reason };
}
