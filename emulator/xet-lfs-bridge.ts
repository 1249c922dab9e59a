import { createHash } from "node:crypto";
import { type FileHandle, open, rm } from "node:fs/promises";
import { decodeXorbRange } from "../xet/xorb.js";
import type { EmulatorState } from "./emulator-state.js";
import { HubError } from "./hub-error.js";
import type { XetCas } from "./xet-cas.js";
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

/**
 * Writes the file's bytes, decoded term by term from the stored xorbs, to `tmp`, hashing them on
 * the way. Each term's byte range (not the whole xorb) is read into one pooled buffer, and its raw
 * chunks are written as views of it (a fresh 64 MiB buffer per xorb, then a stream's copies, cost
 * about 1 CPU-s per GiB registered on the cores the client shares).
 */
async function reconstructInto(
  cas: XetCas,
  file: StoredFile,
  tmp: string,
): Promise<{ sha256: string; size: number }> {
  const sha = createHash("sha256");
  const buffer = cas.buffers.acquire();
  let size = 0;
  const out = await open(tmp, "w");
  try {
    for (const t of file.terms) {
      const x = cas.store.getXorb(t.xorb) as StoredXorb;
      const first = x.chunks[t.start] as StoredXorb["chunks"][0];
      const last = x.chunks[t.end - 1] as StoredXorb["chunks"][0];
      const length = last[2] + last[3] - first[2];
      await readRange(cas.store.xorbPath(t.xorb), buffer, first[2], length);
      const pieces = decodeXorbRange(buffer.subarray(0, length));
      for (const p of pieces) {
        sha.update(p);
        size += p.length;
      }
      await writeAll(out, pieces);
    }
  } finally {
    await out.close();
    cas.buffers.release(buffer);
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
