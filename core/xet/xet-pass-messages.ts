/**
 * The messages between XetPassPool (main thread) and its worker threads (xet-pass-worker.ts).
 * Structured-clone friendly; xorb bodies travel as transferred ArrayBuffers, both ways.
 */
import type { ErrorCode } from "../../common/error-codes.js";
import type { FileStat } from "../../storage/journal.js";
import type { CompressionChoice } from "../../xet/compression.js";
import type { XorbChunk } from "../../xet/xorb.js";
import { HASH_BYTES, type PackedChunks, packChunks } from "./packed-chunks.js";
import type { PassResult } from "./xet-file-pass.js";
import type { SpoolPart } from "./xorb-spool.js";

export interface XetWorkerData {
  /** Xorb buffers the thread may allocate, shared by its passes. */
  readonly bufferBudget: number;
}

/** What a worker needs of the file (FileRecord is not sent whole). */
export interface PassFile {
  readonly path: string;
  readonly size: number;
  readonly sha256: string | null;
}

/** A chunk's place in a xorb the CAS holds, or null when nothing knows it. */
export type LookupAnswer = { readonly xorb: string; readonly index: number } | null;

/** A failure inside the worker, rebuilt as a HubpushError on the main thread. */
export interface PassError {
  readonly code: ErrorCode;
  readonly message: string;
  readonly retryable: boolean;
}

export type XetWorkerRequest =
  | {
      readonly type: "pass";
      readonly id: number;
      readonly absolute: string;
      readonly file: PassFile;
      readonly compression: CompressionChoice;
      /** Xorb bodies this pass may hold at once (in flight + queued + the one building). */
      readonly buffers: number;
      /** Spool full segments here, xorbs up to `xorbMaxBytes` (xorb-spool.ts); none: one segment. */
      readonly spoolDir?: string;
      readonly xorbMaxBytes?: number;
      /** The journaled stat: checked instead of a sha256 re-hash (PassInputs.statGuard). */
      readonly statGuard?: FileStat;
    }
  /** Answers of one `lookup` request, in its order. */
  | { readonly type: "answers"; readonly id: number; readonly answers: readonly LookupAnswer[] }
  /** A xorb body is uploaded (or dropped): its buffer goes back to the worker (transferred). */
  | { readonly type: "buffer"; readonly id: number; readonly buffer: ArrayBuffer }
  | { readonly type: "cancel"; readonly id: number };

export type XetWorkerReply =
  /** Chunk hashes (32 bytes each, concatenated) at these file indices, first seen in this file. */
  | {
      readonly type: "lookup";
      readonly id: number;
      readonly hashes: Uint8Array;
      readonly indices: readonly number[];
    }
  | {
      readonly type: "xorb";
      readonly id: number;
      readonly hash: Uint8Array;
      readonly hashString: string;
      /**
       * The xorb's chunks packed (packXorbChunks): a chunk list as objects, each hash its own
       * ArrayBuffer, cost the main thread ≈ 1,000 small allocations per xorb to deserialize.
       */
      readonly chunks: PackedXorbChunks;
      readonly unpackedLength: number;
      /** The body is the first `length` bytes of `buffer` (transferred). */
      readonly buffer: ArrayBuffer;
      readonly length: number;
      /** The body's first bytes, in a spool file (the body above follows them). */
      readonly spool?: SpoolPart;
    }
  | {
      readonly type: "done";
      readonly id: number;
      readonly result: PassResult;
      /** The thread's new space (young generation) size as the pass ended: its bound is checked by a test. */
      readonly newSpaceBytes: number;
    }
  | { readonly type: "failed"; readonly id: number; readonly error: PassError }
  | { readonly type: "aborted"; readonly id: number };

/** A xorb's chunk list as typed arrays: hashes and lengths (PackedChunks) and serialized lengths. */
export interface PackedXorbChunks extends PackedChunks {
  readonly serialized: Uint32Array;
}

export function packXorbChunks(chunks: readonly XorbChunk[]): PackedXorbChunks {
  return { ...packChunks(chunks), serialized: Uint32Array.from(chunks, (c) => c.serializedLength) };
}

/** The chunk list back, hashes as views of the packed buffer; offsets run from 0, back to back (§4.1). */
export function unpackXorbChunks(packed: PackedXorbChunks): XorbChunk[] {
  const out: XorbChunk[] = [];
  let offset = 0;
  for (let i = 0; i < packed.lengths.length; i++) {
    const serializedLength = packed.serialized[i] as number;
    out.push({
      hash: packed.hashes.subarray(HASH_BYTES * i, HASH_BYTES * (i + 1)),
      length: packed.lengths[i] as number,
      offset,
      serializedLength,
    });
    offset += serializedLength;
  }
  return out;
}
