import { createHash, type Hash } from "node:crypto";
import type { FileHandle } from "node:fs/promises";
import { HubpushError } from "../../common/hubpush-error.js";
import type { FileRecord } from "../../storage/journal.js";
import type { StreamedContent } from "../hub/hub-client.js";
import { localReadError } from "../lfs/local-read-error.js";
import { openHashedFile } from "../lfs/open-hashed-file.js";

/** Bytes per read: a multiple of 3, so each read base64-encodes without carry-over. */
const READ_BYTES = 3 * 64 * 1024;

/** The hash a regular file is checked against: its blob sha1, or its sha256 when it has none (> 10 MiB). */
function contentHash(file: FileRecord): { hash: Hash; expected: string | null } {
  if (file.sha1 !== null)
    return { hash: createHash("sha1").update(`blob ${file.size}\0`), expected: file.sha1 };
  return { hash: createHash("sha256"), expected: file.sha256 };
}

function changed(file: FileRecord): HubpushError {
  return new HubpushError(
    "ERR_FILE_CHANGED",
    `${file.path} changed after it was hashed; it will be hashed again`,
    {
      retryable: true,
      details: { path: file.path },
    },
  );
}

/** Reads the open file slice by slice, hashing it; throws ERR_FILE_CHANGED unless it is the hashed content. */
async function* verifiedSlices(handle: FileHandle, file: FileRecord): AsyncGenerator<Buffer> {
  const { hash, expected } = contentHash(file);
  let position = 0;
  for (;;) {
    const buffer = Buffer.allocUnsafe(Math.min(READ_BYTES, Math.max(1, file.size - position)));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, position).catch((err: unknown) => {
      throw localReadError(err, file.path);
    });
    if (bytesRead === 0) break;
    position += bytesRead;
    if (position > file.size) throw changed(file);
    const slice = buffer.subarray(0, bytesRead);
    hash.update(slice);
    yield slice;
  }
  if (position !== file.size || hash.digest("hex") !== expected) throw changed(file);
}

/** Reads and checks the whole file without keeping it (the check before a file joins a batch). */
export async function verifyHashedFile(absolute: string, file: FileRecord): Promise<void> {
  const handle = await openHashedFile(absolute, file);
  try {
    for await (const _ of verifiedSlices(handle, file)) {
      // only the check matters here
    }
  } finally {
    await handle.close();
  }
}

/**
 * A regular file's content for a commit body, read from disk while the body is sent and checked
 * again against its journaled hash: a change after the batch was built aborts the body.
 */
export function streamedFile(absolute: string, file: FileRecord): StreamedContent {
  return {
    size: file.size,
    async *read() {
      const handle = await openHashedFile(absolute, file);
      try {
        yield* verifiedSlices(handle, file);
      } finally {
        await handle.close();
      }
    },
  };
}
