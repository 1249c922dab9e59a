import type { FileHandle } from "node:fs/promises";
import { HubpushError } from "../../common/hubpush-error.js";
import type { FileStat } from "../../storage/journal.js";
import { toFileStat } from "../hash/to-file-stat.js";

export function sameStat(a: FileStat, b: FileStat): boolean {
  return a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs && a.inode === b.inode;
}

/** Throws ERR_FILE_CHANGED when the open file is no longer the one that was hashed. */
export async function assertUnchanged(
  handle: FileHandle,
  expected: FileStat,
  displayPath: string,
): Promise<void> {
  const now = toFileStat(await handle.stat({ bigint: true }));
  if (!sameStat(now, expected)) {
    throw new HubpushError(
      "ERR_FILE_CHANGED",
      `${displayPath} changed after it was hashed; it will be hashed again and uploaded once it is stable`,
      { retryable: true },
    );
  }
}
