/** Records of the Xet journal area (storage/xet-store.ts, migration "xet"; docs/journal.md). */

/** One chunk of a xorb: raw 32-byte hash and uncompressed length. */
export interface XetChunkRef {
  readonly hash: Uint8Array;
  readonly length: number;
}

export type XetXorbState = "built" | "uploaded";

export interface XetXorbRecord {
  readonly endpoint: string;
  /** String form (xet-protocol.md §3.2). */
  readonly hash: string;
  readonly chunks: readonly XetChunkRef[];
  readonly unpackedBytes: number;
  readonly serializedBytes: number;
  readonly state: XetXorbState;
}

/** A term of a file: chunks [start, end) of a xorb. */
export interface XetTermRecord {
  readonly xorb: string;
  readonly start: number;
  readonly end: number;
  readonly bytes: number;
}

export type XetFileState = "chunked" | "xorbs_stored" | "shard_registered" | "committed";

export interface XetFileRecord {
  readonly fileId: number;
  readonly sha256: string;
  readonly xetHash: string | null;
  readonly terms: readonly XetTermRecord[] | null;
  readonly state: XetFileState;
  /** Xorbs this file version built, in build order (its shard's CAS section). */
  readonly builtXorbs: readonly string[];
  readonly bytesSent: number;
  readonly bytesDeduped: number;
}

/** Per job figures (status `xet`, metrics, the page). */
export interface XetJobStats {
  /** Bytes of files whose shard was registered. */
  readonly bytesChunked: number;
  /** Of those, bytes the CAS already held (not sent). */
  readonly bytesDeduped: number;
  /** Xorb and shard bodies sent. */
  readonly bytesSent: number;
  readonly xorbsStored: number;
  /** Files whose shard was registered. */
  readonly files: number;
  /** Why the job (or some files) went through LFS instead, else null. */
  readonly note: string | null;
}

export interface XetJobStatsDelta {
  readonly bytesChunked?: number;
  readonly bytesDeduped?: number;
  readonly bytesSent?: number;
  readonly xorbsStored?: number;
  readonly files?: number;
}

/** A change to a file version's Xet state (journal.xet.recordFile): bytesSent adds up, the rest replaces. */
export interface XetFileUpdate {
  readonly state: XetFileState;
  readonly xetHash?: string;
  readonly terms?: readonly XetTermRecord[];
  readonly builtXorbs?: readonly string[];
  readonly bytesSent?: number;
  readonly bytesDeduped?: number;
}
