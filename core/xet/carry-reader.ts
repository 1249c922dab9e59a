/**
 * The Xet pass's reads (xet-file-pass.ts): 1 MiB at a time, each starting with the unfinished chunk
 * carried from the previous read, so the chunker restarts at the last cut and a chunk spanning two
 * reads is a view, never a join; and the stat guard on the same descriptor.
 */
import { open } from "node:fs/promises";
import type { FileStat } from "../../storage/journal.js";
import { MAX_CHUNK } from "../../xet/chunker.js";
import { assertUnchanged } from "../lfs/same-stat.js";

const READ_BYTES = 1024 * 1024;

/** One read: the carried unfinished chunk followed by the new bytes (`region`), and the new bytes alone. */
export interface CarryRead {
  readonly region: Uint8Array;
  readonly fresh: Uint8Array;
  /** A short read: the end of the file. */
  readonly last: boolean;
}

export interface CarryReader {
  /** The next read after `tail` (the unfinished chunk of the previous one), or null at the end. */
  next(tail: Uint8Array | null): Promise<CarryRead | null>;
  /** Throws ERR_FILE_CHANGED when the open file's stat is no longer `expected`. */
  check(expected: FileStat, displayPath: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Reads the file READ_BYTES at a time into a buffer that starts with the carried unfinished chunk
 * (< MAX_CHUNK bytes, copied from the previous read). With `reuse`, two buffers alternate (a piece
 * is valid until the next-but-one read); without, every read gets a fresh buffer.
 */
export async function openCarryReader(absolute: string, reuse: boolean): Promise<CarryReader> {
  const handle = await open(absolute, "r");
  const size = MAX_CHUNK + READ_BYTES;
  const buffers = reuse ? [Buffer.allocUnsafeSlow(size), Buffer.allocUnsafeSlow(size)] : [];
  let turn = 0;
  return {
    async next(tail) {
      const buffer = buffers[turn++ % 2] ?? Buffer.allocUnsafeSlow(size);
      const carry = tail?.length ?? 0;
      if (tail !== null) buffer.set(tail, 0);
      // Filled whole (a short read, e.g. on a network file system, is continued): only the last
      // read is short.
      let filled = 0;
      while (filled < READ_BYTES) {
        const { bytesRead } = await handle.read(buffer, carry + filled, READ_BYTES - filled, null);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      if (filled === 0) return null;
      return {
        region: buffer.subarray(0, carry + filled),
        fresh: buffer.subarray(carry, carry + filled),
        last: filled < READ_BYTES,
      };
    },
    check: (expected, displayPath) => assertUnchanged(handle, expected, displayPath),
    close: () => handle.close(),
  };
}
