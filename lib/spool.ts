import { createHash, randomBytes } from "node:crypto";
import {
  copyFileSync,
  createWriteStream,
  constants as fsConstants,
  linkSync,
  mkdirSync,
  renameSync,
  rmSync,
  statSync,
} from "node:fs";
import { open, rm } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { HubpushError } from "../common/hubpush-error.js";

/** What uploadFile and CommitOperationAdd accept: a path, bytes, or a stream of bytes. */
export type FileSource = string | Uint8Array | Readable | AsyncIterable<Uint8Array>;

/**
 * A spool folder under the state directory, named by `key` (stable for the same upload target, so a
 * call after a crash finds the same folder and the same journaled job).
 */
export function spoolFolder(home: string, key: string): string {
  const name = createHash("sha256").update(key).digest("hex").slice(0, 32);
  const dir = path.join(home, "spool", name);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

/**
 * Puts `source` at `target` durably: bytes and streams are written to a temp file, fsynced and
 * renamed, so the file is either whole or absent after a crash (a half-spooled stream is never
 * uploaded). A path is hard-linked (no copy) when on the same filesystem, else copied.
 */
export async function spoolSource(source: FileSource, target: string, option: string): Promise<void> {
  const temp = `${target}.${process.pid}.${randomBytes(4).toString("hex")}.part`;
  try {
    if (typeof source === "string") {
      linkOrCopy(source, temp, option);
    } else {
      try {
        const input = source instanceof Uint8Array ? Readable.from([source]) : Readable.from(source);
        await pipeline(input, createWriteStream(temp, { mode: 0o600 }));
      } catch (err) {
        throw new HubpushError(
          "ERR_FILE_UNREADABLE",
          `reading \`${option}\` failed: ${err instanceof Error ? err.message : String(err)}; nothing was uploaded`,
          { cause: err, details: { option } },
        );
      }
      // On disk before the rename: after a crash the spooled file is whole or absent.
      const handle = await open(temp, "r");
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
    renameSync(temp, target);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

function linkOrCopy(source: string, temp: string, option: string): void {
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(source);
  } catch (err) {
    throw new HubpushError(
      "ERR_FOLDER_NOT_FOUND",
      `\`${option}\`: ${source} does not exist or cannot be read`,
      {
        cause: err,
        details: { option, path: source },
      },
    );
  }
  if (!stat.isFile()) {
    throw new HubpushError("ERR_FILE_NOT_REGULAR", `\`${option}\`: ${source} is not a regular file`, {
      details: { option, path: source },
    });
  }
  try {
    linkSync(source, temp);
  } catch {
    // Another filesystem (EXDEV) or links not allowed: a copy (a reflink where the filesystem can).
    copyFileSync(source, temp, fsConstants.COPYFILE_FICLONE);
  }
}

/** Drops a spool folder once its upload is committed (a later call spools again). */
export function removeSpool(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export function isFileSource(value: unknown): value is FileSource {
  return (
    typeof value === "string" ||
    value instanceof Uint8Array ||
    value instanceof Readable ||
    (typeof value === "object" && value !== null && Symbol.asyncIterator in value)
  );
}
