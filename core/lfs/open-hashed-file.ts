import { type FileHandle, open } from "node:fs/promises";
import type { FileRecord } from "../../storage/journal.js";
import { localReadError } from "./local-read-error.js";
import { assertUnchanged } from "./same-stat.js";

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
