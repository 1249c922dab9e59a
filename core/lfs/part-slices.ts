import type { FileHandle } from "node:fs/promises";
import { HubpushError } from "../../common/hubpush-error.js";
import { localReadError } from "./local-read-error.js";

/** One reused slice buffer per streamed part: far above a socket's write high-water mark (16–64 KiB). */
export const PART_SLICE_BYTES = 1024 * 1024;

export interface PartSlicesOptions {
  readonly handle: FileHandle;
  readonly start: number;
  readonly length: number;
  readonly displayPath: string;
  /** Told of each slice before it is handed on (a re-hash, when there is one). */
  readonly onSlice?: (slice: Buffer) => void;
  /**
   * Awaited before the first read and after the last, before the last slice is handed on (the
   * stat guard, and a re-hash's digest check): a throw fails the body before its last byte goes,
   * so a store never receives a whole part or object read from a changed file.
   */
  readonly check?: (when: "before" | "after") => Promise<void>;
  /** Waits for the bandwidth cap before a slice of `bytes` goes out. */
  readonly throttle: (bytes: number) => Promise<void>;
  /** Told once a slice was taken by the consumer. */
  readonly onSent: (bytes: number) => void;
}

/**
 * A multipart part streamed from disk through ONE buffer, refilled for every slice: no allocation
 * per chunk, so no garbage for the GC (issue 16 item 6: streamed 1 MiB chunks cost W2 with 50 MiB
 * parts ~0.7 s of GC threads per GiB). The buffer is overwritten when the next slice is asked
 * for, so the consumer must be done with a slice by then. undici is, when given this generator
 * as it is (hub-transport.ts `pulled`): it writes a slice to the socket and, because a slice is
 * bigger than the socket's high-water mark, waits for 'drain' (every byte handed to the kernel)
 * before it asks for the next. Every slice but the part's last is therefore filled whole, never a
 * short read's few bytes. The bytes hashed are the bytes handed on: the same memory, untouched
 * until the consumer asks for more.
 */
export async function* partSlices(options: PartSlicesOptions): AsyncGenerator<Buffer> {
  const { length } = options;
  const slab = takeSlab(length);
  try {
    yield* fill(options, slab);
  } finally {
    giveSlab(slab);
  }
}

/**
 * Slabs of finished bodies, kept for the next: a 1 MiB allocation per part or object is external
 * memory V8 counts toward its next full GC (W2 sends 64 parts per GiB). At most as many are kept as
 * bodies were ever sent at once, and never more than SPARE_SLABS.
 */
const spare: Buffer[] = [];
const SPARE_SLABS = 16;

function takeSlab(length: number): Buffer {
  if (length >= PART_SLICE_BYTES) {
    const slab = spare.pop();
    if (slab !== undefined) return slab;
  }
  return Buffer.allocUnsafeSlow(Math.min(PART_SLICE_BYTES, Math.max(1, length)));
}

function giveSlab(slab: Buffer): void {
  if (slab.length === PART_SLICE_BYTES && spare.length < SPARE_SLABS) spare.push(slab);
}

async function* fill(options: PartSlicesOptions, slab: Buffer): AsyncGenerator<Buffer> {
  const { handle, start, length, displayPath } = options;
  let done = 0;
  await options.check?.("before");
  while (done < length) {
    const wanted = Math.min(slab.length, length - done);
    let filled = 0;
    while (filled < wanted) {
      let bytesRead: number;
      try {
        ({ bytesRead } = await handle.read(slab, filled, wanted - filled, start + done + filled));
      } catch (err) {
        throw localReadError(err, displayPath);
      }
      if (bytesRead === 0) {
        throw new HubpushError(
          "ERR_FILE_CHANGED",
          `${displayPath} shrank while being uploaded; the upload was aborted and the file will be hashed again`,
          { retryable: true },
        );
      }
      filled += bytesRead;
    }
    const slice = slab.subarray(0, filled);
    options.onSlice?.(slice);
    if (done + filled === length) await options.check?.("after");
    await options.throttle(filled);
    yield slice;
    options.onSent(filled);
    done += filled;
  }
  if (length === 0) await options.check?.("after");
}
