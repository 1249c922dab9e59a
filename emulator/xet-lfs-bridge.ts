import { createHash } from "node:crypto";
import { type FileHandle, open, rm } from "node:fs/promises";
import { decodeXorbRange } from "../xet/xorb.js";
import type { EmulatorState } from "./emulator-state.js";
import { HubError } from "./hub-error.js";
import { BRIDGE_SLICE_BYTES, type XetCas } from "./xet-cas.js";
import type { StoredFile, StoredXorb } from "./xet-store.js";

/** Fewer than IOV_MAX (1,024) buffers per writev. */
const WRITEV_BATCH = 1000;

/** Reads `length` bytes at `position` of a file into the start of `into`. */
async function readRange(path: string, into: Buffer, position: number, length: number): Promise<void> {
  const file = await open(path, "r");
  try {
    let done = 0;
    while (done < length) {
      const { bytesRead } = await file.read(into, done, length - done, position + done);
      if (bytesRead === 0) throw new Error(`${path} ends before byte ${position + length}.`);
      done += bytesRead;
    }
  } finally {
    await file.close();
  }
}

async function writeAll(out: FileHandle, pieces: readonly Uint8Array[]): Promise<void> {
  for (let i = 0; i < pieces.length; i += WRITEV_BATCH) {
    const batch = pieces.slice(i, i + WRITEV_BATCH);
    const want = batch.reduce((n, p) => n + p.length, 0);
    const { bytesWritten } = await out.writev(batch);
    // A short writev only happens on a full disk; the bridge then fails like any other write.
    if (bytesWritten !== want) throw new Error(`Short write: ${bytesWritten} of ${want} bytes.`);
  }
}

/** A run of whole serialized chunks of one stored xorb. */
interface Slice {
  readonly path: string;
  readonly position: number;
  readonly length: number;
}

/** The file's terms as slices of at most BRIDGE_SLICE_BYTES (a chunk is never split). */
function slicesOf(cas: XetCas, file: StoredFile): Slice[] {
  const out: Slice[] = [];
  for (const t of file.terms) {
    const x = cas.store.getXorb(t.xorb) as StoredXorb;
    const path = cas.store.xorbPath(t.xorb);
    let position = -1;
    let length = 0;
    for (let c = t.start; c < t.end; c++) {
      const [, , offset, serialized] = x.chunks[c] as StoredXorb["chunks"][0];
      if (length > 0 && length + serialized > BRIDGE_SLICE_BYTES) {
        out.push({ path, position, length });
        length = 0;
      }
      if (length === 0) position = offset;
      length += serialized;
    }
    if (length > 0) out.push({ path, position, length });
  }
  return out;
}

/**
 * Writes the file's bytes, decoded from the stored xorbs, to `tmp`, hashing them on the way. Two
 * slice buffers take turns, so reading the next slice and writing the last one (the thread pool)
 * overlap hashing this one (the event loop): at the end of an upload the client waits for this.
 * Raw chunks are written as views of the slice (no copies, no stream).
 */
async function reconstructInto(
  cas: XetCas,
  file: StoredFile,
  tmp: string,
): Promise<{ sha256: string; size: number }> {
  const slices = slicesOf(cas, file);
  const sha = createHash("sha256");
  const even = cas.sliceBuffers.acquire();
  const odd = cas.sliceBuffers.acquire();
  const buffer = (i: number): Buffer => (i % 2 === 0 ? even : odd);
  let size = 0;
  const out = await open(tmp, "w");
  let reading: Promise<void> = Promise.resolve();
  let writing: Promise<void> = Promise.resolve();
  try {
    const read = (i: number): Promise<void> => {
      const s = slices[i] as Slice;
      return readRange(s.path, buffer(i), s.position, s.length);
    };
    if (slices.length > 0) reading = read(0);
    for (let i = 0; i < slices.length; i++) {
      await reading;
      const pieces = decodeXorbRange(buffer(i).subarray(0, (slices[i] as Slice).length));
      for (const p of pieces) {
        sha.update(p);
        size += p.length;
      }
      // The other buffer is free once the last slice is written.
      await writing;
      if (i + 1 < slices.length) reading = read(i + 1);
      writing = writeAll(out, pieces);
    }
    await writing;
  } finally {
    // Nothing may still use a buffer (or the file) when an error ends the loop early.
    await Promise.allSettled([reading, writing]);
    await out.close();
    cas.sliceBuffers.release(even);
    cas.sliceBuffers.release(odd);
  }
  return { sha256: sha.digest("hex"), size };
}

/**
 * The Hub's LFS bridge: the reconstructed bytes of each file become the LFS object named by its
 * SHA-256, so commits, resolve and the LFS batch treat it as present. The real CAS does not verify the
 * SHA-256 (§5.8, [ISSUE] xet-core #570); the emulator does, since it stores bytes under that name.
 */
export async function materialize(
  state: EmulatorState,
  cas: XetCas,
  files: readonly StoredFile[],
): Promise<void> {
  for (const f of files) {
    if (state.objects.objectSize(f.sha256) === f.size) continue;
    const tmp = cas.store.tempPath();
    let got: { sha256: string; size: number };
    try {
      got = await reconstructInto(cas, f, tmp);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    if (got.sha256 !== f.sha256 || got.size !== f.size) {
      await rm(tmp, { force: true });
      throw new HubError(
        400,
        "BadShard",
        `File ${f.hash}: its SHA-256 metadata says ${f.sha256}, the reconstructed bytes hash to ${got.sha256}.`,
      );
    }
    await state.objects.commitObject(tmp, f.sha256);
  }
}
