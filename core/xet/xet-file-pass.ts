import { createHash } from "node:crypto";
import { join } from "node:path";
import { HubpushError } from "../../common/hubpush-error.js";
import type { FileRecord, FileStat, XetTermRecord } from "../../storage/journal.js";
import { Chunker } from "../../xet/chunker.js";
import type { CompressionChoice } from "../../xet/compression.js";
import { hashMod } from "../../xet/hash-string.js";
import type { XetHasher } from "../../xet/xet-hasher.js";

import { localReadError } from "../lfs/local-read-error.js";
import { type CarryReader, openCarryReader } from "./carry-reader.js";
import { FragmentationGuard, GUARD_LOOKAHEAD } from "./fragmentation-guard.js";
import { PackedChunkIndex } from "./packed-chunk-index.js";
import { PackedChunkBuilder, type PackedChunks, packChunks } from "./packed-chunks.js";
import { type OutgoingXorb, SpooledXorbBuilder, serializedLength } from "./xorb-spool.js";

/** A xorb this pass fills: its hash is known once it is built. */
export interface XorbSlot {
  hash: string | null;
}

/** A run of the file's chunks in one xorb. */
export interface PassTerm {
  readonly slot: XorbSlot;
  readonly start: number;
  end: number;
  bytes: number;
  /** Range of the file's chunks (indices into the result's `chunks`) this term covers. */
  readonly firstChunk: number;
  lastChunk: number;
}

/** A built xorb without its body (the body is dropped once sent: a pass never holds a whole file). */
export interface PassXorb {
  readonly hash: Uint8Array;
  readonly hashString: string;
  readonly chunks: PackedChunks;
  readonly unpackedLength: number;
  readonly serializedLength: number;
}

export interface PassResult {
  /** Every chunk of the file, in order (packed: 36 bytes per chunk, see packed-chunks.ts). */
  readonly chunks: PackedChunks;
  readonly terms: readonly PassTerm[];
  /** Xorbs this pass built (in build order). */
  readonly built: readonly PassXorb[];
  readonly sha256: string;
  /** File bytes found in xorbs the CAS already holds (not sent by this pass). */
  readonly dedupBytes: number;
}

/**
 * A xorb is built in segments of 2 MiB (one pooled buffer): 64 MiB xorbs held in memory put peak
 * RSS at 667–806 MB on W2x (4 × 1 GiB); 16 MiB gave 386 MB and 8 MiB 306 MB on 4 × 256 MiB. With a
 * `spoolDir` the full segments of a xorb go to a file and the xorb grows to `xorbMaxBytes` (64 MiB,
 * xorb-spool.ts); without one, xorbs are cut at one segment. Dedup is per chunk and does not depend
 * on the cut, but a term never spans xorbs, so the cut sets the terms (shard bytes) of a re-upload.
 * Why 2 MiB and not 8: with spooling the segment is only a write buffer, and the pooled buffers
 * (4 of them) were 32 MiB of the process's peak RSS on W2x at 4 × 1 GiB (301 MB against the 250 MB
 * bound); at 2 MiB they are 8 MiB, for 16 more spool writes per 64 MiB xorb.
 */
export const XORB_TARGET_BYTES = 2 * 1024 * 1024;

/** Where a chunk already lives: a xorb the CAS holds, with its index. */
export type ChunkLookup = (chunkHash: Uint8Array) => { xorb: string; index: number } | null;

/** What a pass is given, in this thread or in a pass thread (xet-pass-pool.ts). */
export interface PassInputs {
  readonly absolute: string;
  readonly file: Pick<FileRecord, "path" | "size" | "sha256">;
  readonly compression: CompressionChoice;
  /** Journal chunk index, then global dedup answers. */
  readonly lookup: ChunkLookup;
  /** Asks the CAS about an eligible chunk (§7.2); resolves true when a new answer arrived. */
  readonly query: (chunkHash: Uint8Array) => Promise<boolean>;
  readonly signal: AbortSignal;
  /**
   * A directory of its own for this pass's spool files (created on demand; the caller removes it
   * when the pass is over): xorbs then grow to `xorbMaxBytes`. Default: none, xorbs of one segment.
   */
  readonly spoolDir?: string;
  /** With `spoolDir`: a xorb's serialized cap (default XORB_MAX_BYTES, 64 MiB). */
  readonly xorbMaxBytes?: number;
  /**
   * The stat journaled when the file was hashed. Given, its bytes are not hashed with sha256 again:
   * the open descriptor's fstat before the first read and after the last must equal it (the LFS
   * send guard's rule, core/lfs/send-guard.ts; ctime moves on every write). Absent (a racy file,
   * or the `rehashOnSend` knob): the bytes read are hashed and must give the journaled sha256.
   */
  readonly statGuard?: FileStat;
}

export interface PassOptions extends PassInputs {
  readonly hasher: XetHasher;
  /** A xorb is full: upload it (may wait while too many are in flight). */
  readonly onXorb: (xorb: OutgoingXorb) => Promise<void>;
  /**
   * Called with the hashes of each read's new chunks (file indices from `firstIndex`) before they
   * are placed: the worker pass (xet-pass-worker.ts) fetches their `lookup` answers from the main
   * thread here in one round trip. Default: none (lookup and query are called per chunk).
   */
  readonly prefetch?: (hashes: readonly Uint8Array[], firstIndex: number) => Promise<void>;
  /**
   * A ≥ XORB_TARGET_BYTES buffer to build the next xorb in (a pool recycles the bodies of uploaded
   * xorbs); may wait until one is free. Default: every xorb body is a fresh allocation.
   */
  readonly xorbBuffer?: () => Promise<Uint8Array>;
}

/** §7.2: the first chunk of a file and every chunk whose hash mod 1,024 is 0 are worth a query. */
export function eligible(index: number, hash: Uint8Array): boolean {
  return index === 0 || hashMod(hash, 1024) === 0;
}

/**
 * One pass over a file: CDC chunks (xet/chunker.ts), each placed by dedup (this pass's own xorbs,
 * then `lookup`, asking the CAS for eligible chunks) or packed into a new xorb. Deterministic for the
 * same bytes and the same lookup answers, so a pass after a crash rebuilds the same xorbs.
 */
export async function runXetPass(options: PassOptions): Promise<PassResult> {
  const { hasher, file } = options;
  // Per-chunk state of the whole file is packed (36 bytes per chunk in `chunks`, ≈ 56 in `own`):
  // objects and hash strings per chunk grew the pass threads' heaps by ≈ 25 MB per GiB of file.
  // Sized for the expected chunk count up front: each doubling leaves the old arrays to the next
  // major GC, which in a pass thread's small heap comes late (tens of MB of dead buffers).
  const expected = expectedChunks(file.size);
  const chunks = new PackedChunkBuilder(expected);
  const terms: PassTerm[] = [];
  const built: PassXorb[] = [];
  /** Chunks this pass packed: hash → (number of the slot in `slotList`, index in that xorb). */
  const own = new PackedChunkIndex(expected);
  const slotList: XorbSlot[] = [];
  const newSlot = (): XorbSlot => {
    const s: XorbSlot = { hash: null };
    slotList.push(s);
    return s;
  };
  const sha = options.statGuard === undefined ? createHash("sha256") : null;
  let dedupBytes = 0;
  let slot: XorbSlot = newSlot();
  // Started on the first new chunk: a pass that dedups everything never takes a buffer.
  let builder: SpooledXorbBuilder | null = null;
  let spools = 0;
  const startXorb = async (): Promise<SpooledXorbBuilder> => {
    const buffer = options.xorbBuffer === undefined ? undefined : await options.xorbBuffer();
    const path = options.spoolDir === undefined ? undefined : join(options.spoolDir, `${++spools}.xorb`);
    return new SpooledXorbBuilder(options.compression, hasher, {
      segmentBytes: XORB_TARGET_BYTES,
      buffer,
      path,
      maxBytes: options.xorbMaxBytes,
    });
  };
  const guard = new FragmentationGuard();

  const place = (target: XorbSlot, index: number, length: number): void => {
    const n = chunks.length - 1;
    const last = terms[terms.length - 1];
    if (last !== undefined && last.slot === target && last.end === index) {
      last.end = index + 1;
      last.bytes += length;
      last.lastChunk = n;
      return;
    }
    terms.push({ slot: target, start: index, end: index + 1, bytes: length, firstChunk: n, lastChunk: n });
  };
  const slots = new Map<string, XorbSlot>();
  const slotOf = (hash: string): XorbSlot => {
    let s = slots.get(hash);
    if (s === undefined) {
      s = { hash };
      slots.set(hash, s);
    }
    return s;
  };
  const flush = async (): Promise<void> => {
    if (builder === null || builder.chunkCount === 0) return;
    const xorb = await builder.build();
    slot.hash = xorb.hashString;
    built.push({
      hash: xorb.hash,
      hashString: xorb.hashString,
      chunks: packChunks(xorb.chunks),
      unpackedLength: xorb.unpackedLength,
      serializedLength: serializedLength(xorb),
    });
    slots.set(xorb.hashString, slot);
    slot = newSlot();
    builder = null;
    await options.onXorb(xorb);
  };
  // §7.3 look-ahead: a chunk is placed once the GUARD_LOOKAHEAD - 1 chunks after it are hashed and
  // looked up, so the guard can size the dedup range it would start (`ahead`).
  const queue: Pending[] = [];
  const enqueue = async (data: Uint8Array, hash: Uint8Array, read: number): Promise<void> => {
    const index = chunks.length + queue.length;
    // A chunk this pass packed itself is placed from `own` (handle): it is never looked up or
    // queried again (the pass threads' prefetch asks the main thread about each chunk once).
    let known: Pending["known"] = null;
    if (own.find(hash) < 0) {
      known = options.lookup(hash);
      if (known === null && eligible(index, hash) && (await options.query(hash)))
        known = options.lookup(hash);
    }
    queue.push({ data, hash, known, read });
    if (queue.length >= GUARD_LOOKAHEAD) await handle(queue.shift() as Pending);
  };
  /** Chunks from `known` on that would continue one dedup range: it and those after it in the queue. */
  const ahead = (known: { xorb: string; index: number }): number => {
    let n = 1;
    for (const next of queue) {
      const k = next.known;
      if (
        n >= GUARD_LOOKAHEAD ||
        own.find(next.hash) >= 0 ||
        k?.xorb !== known.xorb ||
        k.index !== known.index + n
      )
        break;
      n++;
    }
    return n;
  };
  const handle = async ({ data, hash, known }: Pending): Promise<void> => {
    chunks.push({ hash, length: data.length });
    const mine = own.find(hash);
    if (mine >= 0) {
      place(slotList[own.a(mine)] as XorbSlot, own.b(mine), data.length);
      dedupBytes += data.length;
      return;
    }
    if (known !== null && takesRange(guard, terms, slotOf(known.xorb), known.index, () => ahead(known))) {
      place(slotOf(known.xorb), known.index, data.length);
      dedupBytes += data.length;
      return;
    }
    builder ??= await startXorb();
    let at = await builder.add(hash, data);
    if (at < 0) {
      await flush();
      builder = await startXorb();
      at = await builder.add(hash, data);
    }
    own.set(hash, slotList.length - 1, at);
    place(slot, at, data.length);
  };

  let read = 0;
  // A pass that stops mid-xorb (abort, a read or upload failure) closes its spool file.
  try {
    const chunker = new Chunker();
    // With caller buffers the builder copies every new chunk, so nothing outlives the next read but
    // the unfinished chunk, and two read buffers can take turns (fresh 1 MiB reads are freed only
    // when V8 gets round to it: tens of MB of dead buffers per pass thread).
    let reader: CarryReader | null = null;
    let reads = 0;
    /** The unfinished chunk after the last cut: a view of the current read, carried into the next. */
    let tail: Uint8Array | null = null;
    try {
      reader = await openCarryReader(options.absolute, options.xorbBuffer !== undefined);
      if (options.statGuard !== undefined) await reader.check(options.statGuard, file.path);
      for (;;) {
        options.signal.throwIfAborted();
        const got = await reader.next(tail);
        if (got === null) break;
        read += got.fresh.length;
        reads++;
        if (read > file.size) break;
        sha?.update(got.fresh);
        // Each read is chunked from the last cut (the carried tail, then the new bytes) by a chunker
        // in its start state: at a cut the CDC state is exactly that (§2.2: size 0, hash 0), so the
        // boundaries are those of one stream, and the tail is a view, never a concatenation (the
        // chunker joins a chunk that spans pushes into a fresh array: ≈ 64 MB of garbage per GiB,
        // which the pass threads' allocator kept as RSS). Cost: the tail's bytes are scanned twice.
        const pieces = chunker.push(got.region);
        tail = chunker.finish();
        const hashes = pieces.map((data) => hasher.chunkHash(data));
        if (options.prefetch !== undefined && hashes.length > 0)
          await options.prefetch(hashes, chunks.length + queue.length);
        for (let i = 0; i < pieces.length; i++)
          await enqueue(pieces[i] as Uint8Array, hashes[i] as Uint8Array, reads);
        // A held-back chunk may be a view of the read buffer the next read overwrites (two take
        // turns): copy the few of the read before this one (only after a read of < 8 chunks).
        for (const p of queue) {
          if (p.read >= reads) continue;
          p.data = p.data.slice();
          p.read = Number.POSITIVE_INFINITY;
        }
        if (got.last) break;
      }
      // After the last read, before the last xorb is built: a write since the hash moved ctime.
      // Xorbs sent before it are content-addressed and harmless; no shard names them.
      if (options.statGuard !== undefined) await reader.check(options.statGuard, file.path);
    } catch (err) {
      if (options.signal.aborted) throw err;
      throw localReadError(err, file.path);
    } finally {
      await reader?.close();
    }
    if (tail !== null && read <= file.size) {
      const hash = hasher.chunkHash(tail);
      await options.prefetch?.([hash], chunks.length + queue.length);
      await enqueue(tail, hash, Number.POSITIVE_INFINITY);
    }
    while (queue.length > 0) await handle(queue.shift() as Pending);
    await flush();
  } finally {
    await (builder as SpooledXorbBuilder | null)?.close();
  }
  const sha256 = sha === null ? (file.sha256 ?? "") : sha.digest("hex");
  if (read !== file.size || sha256 !== file.sha256) {
    throw new HubpushError(
      "ERR_FILE_CHANGED",
      `${file.path} changed after it was hashed; it will be hashed again and uploaded once it is stable`,
      { retryable: true },
    );
  }
  return { chunks: chunks.finish(), terms, built, sha256, dedupBytes };
}

/**
 * Chunks a file of `size` bytes is expected to have: CDC averages 64 KiB (§2.2), with 25 % to spare;
 * a file of smaller chunks grows the arrays past it.
 */
export function expectedChunks(size: number): number {
  return Math.ceil((size / 65_536) * 1.25) + 16;
}

/** §7.3: a known chunk that continues the previous term is always taken; a new range asks the guard. */
function takesRange(
  guard: FragmentationGuard,
  terms: readonly PassTerm[],
  target: XorbSlot,
  index: number,
  rangeChunks: () => number,
) {
  const last = terms[terms.length - 1];
  if (last !== undefined && last.slot === target && last.end === index) return true;
  return guard.allowsNewRange(terms, rangeChunks);
}

/** A chunk held back for the look-ahead, with its lookup answer (taken when it was read). */
interface Pending {
  data: Uint8Array;
  readonly hash: Uint8Array;
  readonly known: { readonly xorb: string; readonly index: number } | null;
  /** The read it came from (its data may be a view of that read's buffer); Infinity once copied. */
  read: number;
}

/** The journal's form of the pass's terms (every slot is built by now). */
export function termRecords(terms: readonly PassTerm[]): XetTermRecord[] {
  return terms.map((t) => ({ xorb: t.slot.hash ?? "", start: t.start, end: t.end, bytes: t.bytes }));
}
