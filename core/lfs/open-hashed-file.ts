import { closeSync, fstatSync, openSync } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import { HubpushError } from "../../common/hubpush-error.js";
import type { FileRecord } from "../../storage/journal.js";
import { toFileStat } from "../hash/to-file-stat.js";
import { localReadError } from "./local-read-error.js";
import { assertUnchanged, sameStat } from "./same-stat.js";

/**
 * Opens a journaled file for reading and checks it is still the one that was hashed: a vanished
 * file throws ERR_FILE_VANISHED, an unreadable one ERR_FILE_UNREADABLE, a changed one ERR_FILE_CHANGED.
 * The caller closes the handle.
 */
export async function openHashedFile(absolute: string, file: FileRecord): Promise<FileHandle> {
  const handle = await open(absolute, "r").catch((err: unknown) => {
    throw localReadError(err, file.path);
  });
  try {
    await assertUnchanged(handle, file, file.path);
    return handle;
  } catch (err) {
    await handle.close();
    throw err;
  }
}

/**
 * openHashedFile with synchronous calls, for the commit stage's small files: an open, an fstat and
 * a close of a cached file cost a few microseconds each, while each promise call is a thread-pool
 * round trip (issue 16 item 1). The caller closes the descriptor.
 */
export function openHashedFileSync(absolute: string, file: FileRecord): number {
  let fd: number;
  try {
    fd = openSync(absolute, "r");
  } catch (err) {
    throw localReadError(err, file.path);
  }
  try {
    if (!sameStat(toFileStat(fstatSync(fd, { bigint: true })), file)) {
      throw new HubpushError(
        "ERR_FILE_CHANGED",
        `${file.path} changed after it was hashed; it will be hashed again and uploaded once it is stable`,
        { retryable: true },
      );
    }
    return fd;
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}
