import {
  type CompressionChoice,
  compressChunk,
  decompressChunk,
  looksIncompressible,
  prefersBg4,
} from "./compression.js";
import { hashToString } from "./hash-string.js";
import { XetFormatError } from "./xet-format-error.js";
import type { HashedLength, XetHasher } from "./xet-hasher.js";

export const XORB_MAX_BYTES = 64 * 1024 * 1024;
export const XORB_MAX_CHUNKS = 8_192;
const HEADER = 8;
/** §4.1: [XC] readers reject a compressed length above this. */
const MAX_COMPRESSED = 262_144;
const MAX_UNCOMPRESSED = 131_072;
/** [XC] compression_scheme_retest_interval: the predictor looks at the first chunk of every 32. */
const RETEST = 32;

/** One chunk of a xorb: hash, uncompressed length, and where its header starts in the body. */
export interface XorbChunk extends HashedLength {
  /** Offset of the chunk's 8-byte header in the serialized body. */
  readonly offset: number;
  /** Header + data bytes in the serialized body. */
  readonly serializedLength: number;
}

export interface BuiltXorb {
  readonly hash: Uint8Array;
  readonly hashString: string;
  readonly body: Uint8Array;
  readonly chunks: readonly XorbChunk[];
  /** Sum of uncompressed chunk lengths. */
  readonly unpackedLength: number;
}

/** Options of XorbBuilder. */
export interface XorbBuilderOptions {
  /**
   * Serialize into this buffer (at least `maxBytes` long) instead of a fresh one. The built
   * xorb's body is then a view of it, so hand the buffer to the next builder only once that xorb is
   * no longer needed (uploaded). A pipeline that recycles two or three such buffers saves the page
   * faults of a fresh 64 MiB allocation per xorb, which cost about as much as the copy itself.
   */
  readonly buffer?: Uint8Array;
  /**
   * Cut the xorb at this many serialized bytes (1 MiB … XORB_MAX_BYTES, the default). Smaller xorbs
   * are valid (the caps are maxima); a client that keeps several xorbs in flight uses them to bound
   * its memory. Dedup is per chunk, so the xorb size does not change what is deduplicated.
   */
  readonly maxBytes?: number;
}

/**
 * Packs chunks into one serialized xorb (§4.1): per chunk an 8-byte header then its data, chosen per
 * chunk among none / LZ4 / BG4+LZ4. tryAdd() refuses a chunk that would pass 64 MiB serialized or
 * 8,192 chunks (the client caps of §4.6), so the caller starts the next xorb.
 */
export class XorbBuilder {
  /** Without a caller buffer: chunk data (views, not copies) and headers, joined once by build(). */
  private readonly parts: Uint8Array[] = [];
  private headers = new Uint8Array(0);
  private readonly target: Uint8Array | undefined;
  private readonly maxBytes: number;
  private readonly chunks: XorbChunk[] = [];
  private size = 0;
  private unpacked = 0;
  /** "auto": the verdict of the last predictor run, re-tested every RETEST chunks as [XC] does. */
  private verdict: CompressionChoice = "lz4";
  /** "auto": a re-test is due; it waits for a chunk that is not skipped as incompressible. */
  private retestDue = true;

  constructor(
    private readonly compression: CompressionChoice = "auto",
    options: XorbBuilderOptions = {},
  ) {
    const max = options.maxBytes ?? XORB_MAX_BYTES;
    if (!Number.isInteger(max) || max < 1024 * 1024 || max > XORB_MAX_BYTES) {
      throw new RangeError(`A xorb's size cap is 1 MiB … ${XORB_MAX_BYTES} bytes, not ${max}.`);
    }
    if (options.buffer !== undefined && options.buffer.length < max) {
      throw new RangeError(`A xorb buffer holds at least ${max} bytes (the xorb's size cap).`);
    }
    this.target = options.buffer;
    this.maxBytes = max;
  }

  get chunkCount(): number {
    return this.chunks.length;
  }

  get serializedLength(): number {
    return this.size;
  }

  /** Adds the chunk and returns its index, or -1 when it does not fit (the xorb is then full). */
  tryAdd(hash: Uint8Array, data: Uint8Array): number {
    if (data.length === 0 || data.length > MAX_UNCOMPRESSED) {
      throw new RangeError(`A chunk holds 1..${MAX_UNCOMPRESSED} bytes, not ${data.length}.`);
    }
    if (this.chunks.length >= XORB_MAX_CHUNKS) return -1;
    if (this.chunks.length % RETEST === 0) this.retestDue = true;
    let choice = this.compression;
    if (choice === "auto") {
      // The entropy sample (4 KiB) comes first: on random data the predictor (a pass over the
      // whole chunk) would be wasted, so a due re-test moves to the next compressible chunk.
      if (looksIncompressible(data)) choice = "none";
      else {
        if (this.retestDue) this.verdict = prefersBg4(data) ? "bg4-lz4" : "lz4";
        this.retestDue = false;
        choice = this.verdict;
      }
    }
    const { scheme, bytes } = compressChunk(data, choice);
    const serializedLength = HEADER + bytes.length;
    if (this.size + serializedLength > this.maxBytes) return -1;
    const index = this.chunks.length;
    let header: Uint8Array;
    if (this.target) {
      header = this.target.subarray(this.size, this.size + HEADER);
      this.target.set(bytes, this.size + HEADER);
    } else {
      if (this.headers.length < (index + 1) * HEADER) this.growHeaders();
      header = this.headers.subarray(index * HEADER, (index + 1) * HEADER);
      this.parts.push(bytes);
    }
    header[0] = 0;
    writeU24(header, 1, bytes.length);
    header[4] = scheme;
    writeU24(header, 5, data.length);
    this.chunks.push({ hash, length: data.length, offset: this.size, serializedLength });
    this.size += serializedLength;
    this.unpacked += data.length;
    return index;
  }

  /** The finished xorb; its hash is the Merkle hash of (chunk hash, length), independent of compression. */
  build(hasher: XetHasher): BuiltXorb {
    if (this.chunks.length === 0) throw new RangeError("A xorb holds at least one chunk.");
    let body: Uint8Array;
    if (this.target) body = this.target.subarray(0, this.size);
    else {
      body = new Uint8Array(this.size);
      for (let i = 0; i < this.parts.length; i++) {
        const at = (this.chunks[i] as XorbChunk).offset;
        body.set(this.headers.subarray(i * HEADER, (i + 1) * HEADER), at);
        body.set(this.parts[i] as Uint8Array, at + HEADER);
      }
    }
    const hash = hasher.merkleHash(this.chunks);
    return {
      hash,
      hashString: hashToString(hash),
      body,
      chunks: [...this.chunks],
      unpackedLength: this.unpacked,
    };
  }

  /** Header space doubles from 32 headers up to XORB_MAX_CHUNKS (64 KiB) — one allocation per 8-byte header before. */
  private growHeaders(): void {
    const next = new Uint8Array(Math.min(XORB_MAX_CHUNKS, Math.max(32, this.chunks.length * 2)) * HEADER);
    next.set(this.headers);
    this.headers = next;
  }
}

function writeU24(buf: Uint8Array, at: number, value: number): void {
  buf[at] = value & 0xff;
  buf[at + 1] = (value >>> 8) & 0xff;
  buf[at + 2] = (value >>> 16) & 0xff;
}

function readU24(buf: Uint8Array, at: number): number {
  return (buf[at] as number) | ((buf[at + 1] as number) << 8) | ((buf[at + 2] as number) << 16);
}

const FOOTER_MAGIC = Buffer.from("XETBLOB", "latin1");

function isFooterAt(body: Uint8Array, at: number): boolean {
  if (body.length - at < FOOTER_MAGIC.length) return false;
  for (let i = 0; i < FOOTER_MAGIC.length; i++) if (body[at + i] !== FOOTER_MAGIC[i]) return false;
  return true;
}

export interface ParsedXorb {
  readonly hash: Uint8Array;
  readonly chunks: readonly XorbChunk[];
  /** Bytes of the chunk stream (a trailing XETBLOB footer excluded). */
  readonly chunkBytes: number;
}

/** Options of parseXorb. */
export interface ParseXorbOptions {
  /** Largest accepted body; default 64 MiB + 8 × 8,192 (the emulator tolerance of §4.6). */
  readonly maxBytes?: number;
  /** Called with each decoded chunk (e.g. to serve a reconstruction); default none. */
  readonly onChunk?: (index: number, data: Uint8Array) => void;
}

/**
 * Parses and fully validates a serialized xorb (§4.5): every header, every decompression, every
 * decoded length; computes each chunk hash and the xorb's Merkle hash. Stops at a XETBLOB footer.
 */
export function parseXorb(body: Uint8Array, hasher: XetHasher, options: ParseXorbOptions = {}): ParsedXorb {
  const maxBytes = options.maxBytes ?? XORB_MAX_BYTES + 8 * XORB_MAX_CHUNKS;
  if (body.length > maxBytes) {
    throw new XetFormatError(
      "XORB_TOO_LARGE",
      `The xorb has ${body.length} bytes; the limit is ${maxBytes}.`,
    );
  }
  const chunks: XorbChunk[] = [];
  let at = 0;
  while (at < body.length) {
    // A chunk header starts with version 0, the footer with "X": compare 7 bytes only then.
    if (body[at] === FOOTER_MAGIC[0] && isFooterAt(body, at)) break;
    const where = `chunk ${chunks.length} (byte ${at})`;
    if (body.length - at < HEADER)
      throw new XetFormatError("BAD_XORB", `Truncated chunk header at ${where}.`);
    const version = body[at] as number;
    if (version !== 0)
      throw new XetFormatError("BAD_XORB", `Chunk header version ${version} at ${where}; only 0 exists.`);
    const compressed = readU24(body, at + 1);
    const scheme = body[at + 4] as number;
    const unpacked = readU24(body, at + 5);
    if (compressed > MAX_COMPRESSED || unpacked > MAX_UNCOMPRESSED || unpacked === 0) {
      throw new XetFormatError(
        "BAD_XORB",
        `Bad lengths (${compressed} compressed, ${unpacked} raw) at ${where}.`,
      );
    }
    if (at + HEADER + compressed > body.length)
      throw new XetFormatError("BAD_XORB", `Truncated chunk data at ${where}.`);
    const data = decompressChunk(scheme, body.subarray(at + HEADER, at + HEADER + compressed));
    if (data.length !== unpacked) {
      throw new XetFormatError(
        "BAD_XORB",
        `Chunk decodes to ${data.length} bytes, header says ${unpacked}, at ${where}.`,
      );
    }
    options.onChunk?.(chunks.length, data);
    chunks.push({
      hash: hasher.chunkHash(data),
      length: unpacked,
      offset: at,
      serializedLength: HEADER + compressed,
    });
    at += HEADER + compressed;
  }
  if (chunks.length === 0) throw new XetFormatError("BAD_XORB", "The xorb holds no chunk.");
  if (chunks.length > XORB_MAX_CHUNKS) {
    throw new XetFormatError(
      "XORB_TOO_LARGE",
      `The xorb holds ${chunks.length} chunks; the limit is ${XORB_MAX_CHUNKS}.`,
    );
  }
  return { hash: hasher.merkleHash(chunks), chunks, chunkBytes: at };
}

/** Decodes chunk data from a serialized range that starts at a chunk header (used by downloads). */
export function decodeXorbRange(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 0;
  while (at + HEADER <= bytes.length) {
    const compressed = readU24(bytes, at + 1);
    out.push(decompressChunk(bytes[at + 4] as number, bytes.subarray(at + HEADER, at + HEADER + compressed)));
    at += HEADER + compressed;
  }
  return out;
}
