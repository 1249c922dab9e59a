import { XetFormatError } from "./xet-format-error.js";

/** xet-protocol.md §5: every record is 48 bytes; all integers little-endian; hashes raw. */
const RECORD = 48;
const FOOTER = 200;
/** The optional footer (§5.5); an upload may carry it on top of SHARD_MAX_BYTES ([JS] budgets it in). */
export const SHARD_FOOTER_BYTES = FOOTER;
const TAG = Buffer.from("48465265706f4d6574614461746100556967456a7b815783a5bdd95ccdd14aa9", "hex");
const FLAG_VERIFICATION = 0x80000000;
const FLAG_METADATA = 0x40000000;
export const SHARD_MAX_BYTES = 64 * 1024 * 1024;

export interface ShardTerm {
  readonly xorbHash: Uint8Array;
  readonly unpackedBytes: number;
  readonly start: number;
  readonly end: number;
  /** §3.6; present for every term of every file in an upload shard. */
  readonly verification?: Uint8Array;
}

export interface ShardFile {
  readonly fileHash: Uint8Array;
  readonly terms: readonly ShardTerm[];
  /** SHA-256 of the file in the §3.2 raw form (string form = usual hex); required for git repos. */
  readonly sha256?: Uint8Array;
}

export interface ShardChunk {
  readonly hash: Uint8Array;
  /** Start in the xorb's uncompressed byte stream. */
  readonly start: number;
  readonly length: number;
  /** Bit 31 = global-dedup candidate. */
  readonly flags: number;
}

export interface ShardXorb {
  readonly hash: Uint8Array;
  readonly chunks: readonly ShardChunk[];
  readonly unpackedBytes: number;
  /** Informational ([JS] writes the serialized length, [XC] 0). */
  readonly bytesOnDisk: number;
}

export interface ShardFooter {
  /** §3.7 key; zeros = chunk hashes stored plainly. */
  readonly hmacKey: Uint8Array;
  readonly createdAt: number;
  readonly keyExpiry: number;
  readonly storedBytesOnDisk: number;
  readonly materializedBytes: number;
  readonly storedBytes: number;
}

export interface Shard {
  readonly files: readonly ShardFile[];
  readonly xorbs: readonly ShardXorb[];
  /** Absent = the upload form of [SPEC] (header footer size 0). */
  readonly footer?: ShardFooter;
}

class Writer {
  readonly buf: Buffer;
  at = 0;
  constructor(size: number) {
    this.buf = Buffer.alloc(size);
  }
  bytes(b: Uint8Array): void {
    this.buf.set(b, this.at);
    this.at += b.length;
  }
  u32(v: number): void {
    this.buf.writeUInt32LE(v >>> 0, this.at);
    this.at += 4;
  }
  u64(v: number): void {
    this.buf.writeBigUInt64LE(BigInt(v), this.at);
    this.at += 8;
  }
  skip(n: number): void {
    this.at += n;
  }
  bookend(): void {
    this.buf.fill(0xff, this.at, this.at + 32);
    this.at += RECORD;
  }
}

function hasVerification(shard: Shard): boolean {
  const withVerification = shard.files.some((f) => f.terms.some((t) => t.verification !== undefined));
  if (withVerification && shard.files.some((f) => f.terms.some((t) => t.verification === undefined))) {
    throw new RangeError("Either every term of every file has a verification hash, or none does.");
  }
  return withVerification;
}

/**
 * The byte length writeShard gives this shard: header, file section and CAS section with their
 * bookends, plus the footer when there is one. A client keeps each upload ≤ SHARD_MAX_BYTES (§5.8).
 */
export function shardSize(shard: Shard): number {
  const withVerification = hasVerification(shard);
  let records = 1;
  for (const f of shard.files)
    records += 1 + f.terms.length * (withVerification ? 2 : 1) + (f.sha256 ? 1 : 0);
  records += 1;
  for (const x of shard.xorbs) records += 1 + x.chunks.length;
  records += 1;
  return records * RECORD + (shard.footer ? FOOTER : 0);
}

/**
 * Serializes a shard (§5.1–5.5). Verification entries are written when the files carry them (all or
 * none, §5.3); the footer, when given, has no lookup tables and points every lookup offset at itself,
 * which @huggingface/hub's dedup parser needs (§5.7).
 */
export function writeShard(shard: Shard): Uint8Array {
  const withVerification = hasVerification(shard);
  const footerAt = shardSize({ files: shard.files, xorbs: shard.xorbs });
  const w = new Writer(footerAt + (shard.footer ? FOOTER : 0));
  w.bytes(TAG);
  w.u64(2);
  w.u64(shard.footer ? FOOTER : 0);
  for (const f of shard.files) {
    w.bytes(f.fileHash);
    w.u32((withVerification ? FLAG_VERIFICATION : 0) | (f.sha256 ? FLAG_METADATA : 0));
    w.u32(f.terms.length);
    w.skip(8);
    for (const t of f.terms) {
      w.bytes(t.xorbHash);
      w.u32(0);
      w.u32(t.unpackedBytes);
      w.u32(t.start);
      w.u32(t.end);
    }
    if (withVerification) {
      for (const t of f.terms) {
        w.bytes(t.verification as Uint8Array);
        w.skip(16);
      }
    }
    if (f.sha256) {
      w.bytes(f.sha256);
      w.skip(16);
    }
  }
  w.bookend();
  const casAt = w.at;
  for (const x of shard.xorbs) {
    w.bytes(x.hash);
    w.u32(0);
    w.u32(x.chunks.length);
    w.u32(x.unpackedBytes);
    w.u32(x.bytesOnDisk);
    for (const c of x.chunks) {
      w.bytes(c.hash);
      w.u32(c.start);
      w.u32(c.length);
      w.u32(c.flags);
      w.u32(0);
    }
  }
  w.bookend();
  if (shard.footer) {
    const f = shard.footer;
    w.u64(1);
    w.u64(RECORD);
    w.u64(casAt);
    for (let i = 0; i < 3; i++) {
      w.u64(footerAt);
      w.u64(0);
    }
    w.bytes(f.hmacKey);
    w.u64(f.createdAt);
    w.u64(f.keyExpiry);
    w.skip(48);
    w.u64(f.storedBytesOnDisk);
    w.u64(f.materializedBytes);
    w.u64(f.storedBytes);
    w.u64(footerAt);
  }
  return w.buf;
}

function bad(message: string): XetFormatError {
  return new XetFormatError("BAD_SHARD", message);
}

function isBookend(buf: Buffer, at: number): boolean {
  for (let i = 0; i < 32; i++) if (buf[at + i] !== 0xff) return false;
  return true;
}

function u64(buf: Buffer, at: number): number {
  const v = buf.readBigUInt64LE(at);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw bad(`A 64-bit field at byte ${at} is too large.`);
  return Number(v);
}

/**
 * Parses a shard in any form the protocol uses: upload with or without footer, dedup response
 * (HMAC'd, footer required), or a full shard with lookup tables (skipped). Checks the tag, version,
 * record framing, bookends and the all-or-none rule for verification entries; it does not know the
 * xorbs, so the §5.8 content checks belong to the caller.
 */
export function parseShard(bytes: Uint8Array, maxBytes = SHARD_MAX_BYTES): Shard {
  if (bytes.length > maxBytes + FOOTER) {
    throw bad(
      `The shard is too large: ${bytes.length} bytes (limit ${maxBytes} bytes plus a ${FOOTER}-byte footer); a client must split it into several shards (§5.8).`,
    );
  }
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < RECORD || !buf.subarray(0, 32).equals(TAG))
    throw bad("Not a shard: the 32-byte header tag is wrong.");
  const version = u64(buf, 32);
  if (version !== 2) throw bad(`Shard version ${version} is not supported (only 2).`);
  const footerSize = u64(buf, 40);
  if (footerSize !== 0 && footerSize !== FOOTER)
    throw bad(`Footer size ${footerSize}; must be 0 or ${FOOTER}.`);
  const bodyEnd = buf.length - footerSize;
  if (bodyEnd < RECORD) throw bad("The shard is shorter than its header and footer.");
  const need = (at: number, what: string): void => {
    if (at + RECORD > bodyEnd) throw bad(`Truncated shard: ${what} at byte ${at} runs past the end.`);
  };
  let at = RECORD;
  const files: ShardFile[] = [];
  let verifiedFiles = 0;
  for (;;) {
    need(at, "file info record");
    if (isBookend(buf, at)) break;
    const fileHash = Uint8Array.from(buf.subarray(at, at + 32));
    const flags = buf.readUInt32LE(at + 32);
    const n = buf.readUInt32LE(at + 36);
    at += RECORD;
    const raw: { xorbHash: Uint8Array; unpackedBytes: number; start: number; end: number }[] = [];
    for (let i = 0; i < n; i++) {
      need(at, `term ${i} of file ${files.length}`);
      raw.push({
        xorbHash: Uint8Array.from(buf.subarray(at, at + 32)),
        unpackedBytes: buf.readUInt32LE(at + 36),
        start: buf.readUInt32LE(at + 40),
        end: buf.readUInt32LE(at + 44),
      });
      at += RECORD;
    }
    let terms: ShardTerm[] = raw;
    if (flags & FLAG_VERIFICATION) {
      verifiedFiles++;
      terms = raw.map((t, i) => {
        need(at, `verification entry ${i} of file ${files.length}`);
        const verification = Uint8Array.from(buf.subarray(at, at + 32));
        at += RECORD;
        return { ...t, verification };
      });
    }
    let sha256: Uint8Array | undefined;
    if (flags & FLAG_METADATA) {
      need(at, `metadata entry of file ${files.length}`);
      sha256 = Uint8Array.from(buf.subarray(at, at + 32));
      at += RECORD;
    }
    files.push(sha256 ? { fileHash, terms, sha256 } : { fileHash, terms });
  }
  at += RECORD;
  if (verifiedFiles !== 0 && verifiedFiles !== files.length) {
    throw bad("Only some files of the shard carry verification entries (all or none).");
  }
  const xorbs: ShardXorb[] = [];
  for (;;) {
    need(at, "CAS info record");
    if (isBookend(buf, at)) break;
    const hash = Uint8Array.from(buf.subarray(at, at + 32));
    const m = buf.readUInt32LE(at + 36);
    const unpackedBytes = buf.readUInt32LE(at + 40);
    const bytesOnDisk = buf.readUInt32LE(at + 44);
    at += RECORD;
    const chunks: ShardChunk[] = [];
    for (let i = 0; i < m; i++) {
      need(at, `chunk entry ${i} of xorb ${xorbs.length}`);
      chunks.push({
        hash: Uint8Array.from(buf.subarray(at, at + 32)),
        start: buf.readUInt32LE(at + 32),
        length: buf.readUInt32LE(at + 36),
        flags: buf.readUInt32LE(at + 40),
      });
      at += RECORD;
    }
    xorbs.push({ hash, chunks, unpackedBytes, bytesOnDisk });
  }
  at += RECORD;
  if (footerSize === 0) {
    if (at !== buf.length)
      throw bad(`${buf.length - at} stray bytes after the CAS section of a shard without footer.`);
    return { files, xorbs };
  }
  const f = bodyEnd;
  const footer: ShardFooter = {
    hmacKey: Uint8Array.from(buf.subarray(f + 72, f + 104)),
    createdAt: u64(buf, f + 104),
    keyExpiry: u64(buf, f + 112),
    storedBytesOnDisk: u64(buf, f + 168),
    materializedBytes: u64(buf, f + 176),
    storedBytes: u64(buf, f + 184),
  };
  return { files, xorbs, footer };
}
