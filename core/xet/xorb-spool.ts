import { type FileHandle, mkdir, open, unlink } from "node:fs/promises";
import { dirname } from "node:path";
import { HubpushError } from "../../common/hubpush-error.js";
import type { CompressionChoice } from "../../xet/compression.js";
import { hashToString } from "../../xet/hash-string.js";
import type { XetHasher } from "../../xet/xet-hasher.js";
import {
  type BuiltXorb,
  XORB_MAX_BYTES,
  XORB_MAX_CHUNKS,
  XorbBuilder,
  type XorbChunk,
} from "../../xet/xorb.js";

/** The first `bytes` of a xorb's serialized body, written to a file (the rest is the in-memory body). */
export interface SpoolPart {
  readonly path: string;
  readonly bytes: number;
}

/**
 * A built xorb on its way to the CAS. Without `spool` it is a plain BuiltXorb; with it, the
 * serialized body is the spool file's `bytes` followed by `body` (the last segment, still in its
 * pooled buffer), and `chunks` carry offsets in that whole body.
 */
export interface OutgoingXorb extends BuiltXorb {
  readonly spool?: SpoolPart;
}

/** Serialized bytes of the whole xorb (spooled part + body). */
export function serializedLength(xorb: OutgoingXorb): number {
  return (xorb.spool?.bytes ?? 0) + xorb.body.length;
}

/** Options of SpooledXorbBuilder. */
export interface SpoolOptions {
  /** Serialized bytes per segment (the pooled buffer's size). */
  readonly segmentBytes: number;
  /** The segment's buffer (≥ segmentBytes), reused for every segment of this xorb; default fresh. */
  readonly buffer?: Uint8Array;
  /**
   * Where segments that filled go (the file is created on the first one). Without it the xorb is
   * one segment: exactly what XorbBuilder with `maxBytes: segmentBytes` builds.
   */
  readonly path?: string;
  /** The xorb's cap: ≤ XORB_MAX_BYTES serialized (§4.6); default XORB_MAX_BYTES. */
  readonly maxBytes?: number;
}

/**
 * Builds one xorb of up to 64 MiB / 8,192 chunks (§4.6) while holding one segment (8 MiB) in memory:
 * a serialized xorb is just its chunks back to back (§4.1), so each segment that fills is appended
 * to a spool file and the buffer starts the next one. The xorb hash is §3.4 over the chunk hashes,
 * not over the body, so it is known when the last chunk is in, and the upload streams the spool file
 * and then the last segment. Why: a term never spans xorbs, so 8 MiB xorbs made ~128 terms (and 128
 * × 96 shard bytes) per GiB on a re-upload; 64 MiB ones make ~16, as @huggingface/hub does.
 */
export class SpooledXorbBuilder {
  readonly #compression: CompressionChoice;
  readonly #hasher: XetHasher;
  readonly #options: SpoolOptions;
  readonly #maxSegments: number;
  #segment: XorbBuilder;
  /** Chunks of the segments written to the spool file (offsets in the whole body). */
  readonly #spooled: XorbChunk[] = [];
  #spooledBytes = 0;
  #spooledUnpacked = 0;
  #segments = 1;
  /**
   * The spool file, open from the first spill until build() or close(): with 2 MiB segments an
   * open/append/close per spill was ≈ 0.5 CPU-s per pass thread on W2x 4 × 256 MiB (profile).
   */
  #handle: FileHandle | null = null;

  constructor(compression: CompressionChoice, hasher: XetHasher, options: SpoolOptions) {
    this.#compression = compression;
    this.#hasher = hasher;
    this.#options = options;
    const max = Math.min(options.maxBytes ?? XORB_MAX_BYTES, XORB_MAX_BYTES);
    // Each segment is ≤ segmentBytes, so this many stay within the xorb's cap.
    this.#maxSegments = options.path === undefined ? 1 : Math.max(1, Math.floor(max / options.segmentBytes));
    this.#segment = this.#newSegment();
  }

  get chunkCount(): number {
    return this.#spooled.length + this.#segment.chunkCount;
  }

  /** Adds the chunk; its index in the xorb, or -1 when the xorb is full (build it, start another). */
  async add(hash: Uint8Array, data: Uint8Array): Promise<number> {
    if (this.chunkCount >= XORB_MAX_CHUNKS) return -1;
    const at = this.#segment.tryAdd(hash, data);
    if (at >= 0) return this.#spooled.length + at;
    if (this.#segments >= this.#maxSegments) return -1;
    await this.#spill();
    return this.#spooled.length + this.#segment.tryAdd(hash, data);
  }

  /**
   * The finished xorb (at least one chunk), hash over every chunk. A xorb of one segment stays in
   * its buffer (body); a longer one goes to the spool file whole, the last segment too, and its body
   * is an empty view of the buffer: the buffer can go back to the pass as soon as the upload starts
   * instead of when it ends (xet-pass-pool.ts), so a 64 MiB upload does not hold a pooled buffer.
   */
  async build(): Promise<OutgoingXorb> {
    if (this.#spooled.length === 0) return this.#segment.build(this.#hasher);
    const last = await this.#spill(false);
    await this.close();
    const hash = this.#hasher.merkleHash(this.#spooled);
    return {
      hash,
      hashString: hashToString(hash),
      body: last.body.subarray(0, 0),
      chunks: this.#spooled,
      unpackedLength: this.#spooledUnpacked,
      spool: { path: this.#options.path ?? "", bytes: this.#spooledBytes },
    };
  }

  /** Closes the spool file if open (build() does; a pass that stops mid-xorb must). Idempotent. */
  async close(): Promise<void> {
    const handle = this.#handle;
    this.#handle = null;
    await handle?.close();
  }

  #newSegment(): XorbBuilder {
    return new XorbBuilder(this.#compression, {
      maxBytes: this.#options.segmentBytes,
      buffer: this.#options.buffer,
    });
  }

  /** Appends the segment to the spool file (then starts the next one); the buffer is free again once written. */
  async #spill(next = true): Promise<BuiltXorb> {
    const path = this.#options.path ?? "";
    const segment = this.#segment;
    // The segment's own hash is not used (a merkle hash over ≤ 8 MiB of chunk hashes: cheap).
    const built = segment.build(this.#hasher);
    try {
      if (this.#handle === null) {
        if (this.#spooledBytes === 0) await mkdir(dirname(path), { recursive: true });
        this.#handle = await open(path, this.#spooledBytes === 0 ? "w" : "a");
      }
      const handle = this.#handle;
      let done = 0;
      while (done < built.body.length) {
        const { bytesWritten } = await handle.write(built.body, done, built.body.length - done);
        done += bytesWritten;
      }
    } catch (err) {
      await this.close().catch(() => {});
      // Not the source file's fault (the pass would call it unreadable): say where and what.
      const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      throw new HubpushError(
        "ERR_XET_SPOOL_FAILED",
        `A Xet xorb could not be spooled to ${path} (${code}); free disk space there (up to 5 × 64 MiB per file uploading) or fix its permissions. The file is retried.`,
        { retryable: true, cause: err },
      );
    }
    const base = this.#spooledBytes;
    for (const c of built.chunks) this.#spooled.push({ ...c, offset: c.offset + base });
    this.#spooledBytes += built.body.length;
    this.#spooledUnpacked += built.unpackedLength;
    if (next) {
      this.#segments++;
      this.#segment = this.#newSegment();
    }
    return built;
  }
}

/**
 * Spool reads while uploading: 256 KiB each (the CAS client cuts them into XORB_PACE_BYTES pieces for
 * the pacer). 64 KiB reads were 16,384 promise reads per GiB on the main thread (`read` was its
 * busiest frame in a W2x profile).
 */
const READ_BYTES = 256 * 1024;
/**
 * Read buffers per upload, reused in turn. Fresh buffers per read were ~1 GiB of garbage per GiB
 * sent on the main thread, freed only when V8's external-memory heuristic ran a GC (tens of MB of
 * peak RSS). Reuse is safe with a margin: a piece is referenced by the transport's Readable (it
 * stops pulling once one 64 KiB piece is buffered, high-water mark 16 KiB) and by the socket until
 * written (undici pauses the body while a write is pending), so at most ~3 pieces of 64 KiB are in
 * use when a buffer comes round again after RING × 4 = 16 pieces. A piece overwritten too early
 * would change the body, which the CAS checks against the xorb hash (a loud 400, never a silent
 * corruption).
 */
const RING = 4;

/**
 * Read slabs (RING × READ_BYTES) of finished uploads, kept for the next ones: a fresh 1 MiB slab per
 * xorb upload, freed at the next GC, left the main thread's malloc heap fragmented (it grew
 * 13 → 37 MB over W2x at 4 × 1 GiB while its ArrayBuffers stayed at 5–17 MB).
 */
const freeSlabs: Buffer[] = [];
const KEPT_SLABS = 4;

/**
 * The serialized body to upload: the spool file in 256 KiB reads, then `body` (empty for a spooled
 * xorb). A piece stays valid only until RING more were pulled: send it, do not keep it (copy it).
 * Call `release()` once the CAS answered (every byte was written): its read slab goes to the next
 * upload. Without it (a failed upload, whose socket may still hold a piece) the slab is just dropped.
 */
export function xorbPieces(xorb: OutgoingXorb): {
  length: number;
  pieces: () => AsyncIterable<Uint8Array>;
  release: () => void;
} {
  const spool = xorb.spool;
  let slab: Buffer | null = null;
  return {
    length: serializedLength(xorb),
    pieces: async function* () {
      if (spool !== undefined) {
        // Attempts run one after another (a retry after a 401 starts once the first has ended).
        slab ??= freeSlabs.pop() ?? Buffer.allocUnsafeSlow(RING * READ_BYTES);
        const ring = slab;
        const handle = await open(spool.path, "r");
        try {
          for (let at = 0, turn = 0; at < spool.bytes; turn = (turn + 1) % RING) {
            const buffer = ring.subarray(
              turn * READ_BYTES,
              turn * READ_BYTES + Math.min(READ_BYTES, spool.bytes - at),
            );
            const { bytesRead } = await handle.read(buffer, 0, buffer.length, at);
            if (bytesRead === 0)
              throw new Error(`the xorb spool file ${spool.path} is shorter than recorded`);
            at += bytesRead;
            yield buffer.subarray(0, bytesRead);
          }
        } finally {
          await handle.close();
        }
      }
      if (xorb.body.length > 0) yield xorb.body;
    },
    release: () => {
      if (slab !== null && freeSlabs.length < KEPT_SLABS) freeSlabs.push(slab);
      slab = null;
    },
  };
}

/** Removes a xorb's spool file (uploaded, or dropped); a missing one is fine. */
export async function dropSpool(xorb: OutgoingXorb): Promise<void> {
  if (xorb.spool === undefined) return;
  await unlink(xorb.spool.path).catch(() => {});
}
