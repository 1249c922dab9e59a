import type Database from "better-sqlite3";
import { classifySqliteError } from "./classify-sqlite-error.js";
import { guardMethods } from "./guard-methods.js";
import type { XetJournal } from "./journal.js";
import type { StoreContext } from "./store-context.js";
import type {
  XetChunkRef,
  XetFileRecord,
  XetFileState,
  XetFileUpdate,
  XetJobStats,
  XetJobStatsDelta,
  XetTermRecord,
  XetXorbRecord,
  XetXorbState,
} from "./xet-records.js";

const CHUNK_REF = 36;

interface XorbRow {
  endpoint: string;
  hash: string;
  chunks: Buffer;
  unpacked_bytes: number;
  serialized_bytes: number;
  state: string;
}

interface FileRow {
  file_id: number;
  sha256: string;
  xet_hash: string | null;
  terms: string | null;
  state: string;
  built_xorbs: string | null;
  bytes_sent: number;
  bytes_deduped: number;
}

interface StatsRow {
  bytes_chunked: number;
  bytes_deduped: number;
  bytes_sent: number;
  xorbs_stored: number;
  files: number;
  note: string | null;
}

function packChunks(chunks: readonly XetChunkRef[]): Buffer {
  const out = Buffer.alloc(chunks.length * CHUNK_REF);
  chunks.forEach((c, i) => {
    out.set(c.hash, i * CHUNK_REF);
    out.writeUInt32LE(c.length, i * CHUNK_REF + 32);
  });
  return out;
}

function unpackChunks(blob: Buffer): XetChunkRef[] {
  const out: XetChunkRef[] = [];
  for (let at = 0; at + CHUNK_REF <= blob.length; at += CHUNK_REF) {
    out.push({ hash: Uint8Array.from(blob.subarray(at, at + 32)), length: blob.readUInt32LE(at + 32) });
  }
  return out;
}

function parseTerms(text: string | null): XetTermRecord[] | null {
  if (text === null) return null;
  const raw: unknown = JSON.parse(text);
  if (!Array.isArray(raw)) return null;
  return raw.map((t) => {
    const [xorb, start, end, bytes] = t as [string, number, number, number];
    return { xorb, start, end, bytes };
  });
}

/**
 * The Xet area (migration "xet"): xorbs built and uploaded per endpoint, the persistent chunk index,
 * each file version's Xet state, and per job figures. See docs/journal.md "Xet tables".
 */
export class XetStore implements XetJournal {
  readonly #ctx: StoreContext;
  readonly #getXorb: Database.Statement<{ endpoint: string; hash: string }, XorbRow>;
  readonly #insertXorb: Database.Statement<Record<string, unknown>>;
  readonly #markUploaded: Database.Statement<{ endpoint: string; hash: string; now: number }>;
  readonly #indexChunk: Database.Statement<Record<string, unknown>>;
  readonly #lookup: Database.Statement<
    { endpoint: string; chunk: Buffer },
    { xorb_hash: string; chunk_index: number }
  >;
  readonly #forgetIndex: Database.Statement<{ endpoint: string; hash: string }>;
  readonly #forgetXorb: Database.Statement<{ endpoint: string; hash: string }>;
  readonly #getFile: Database.Statement<{ fileId: number; sha256: string }, FileRow>;
  readonly #upsertFile: Database.Statement<Record<string, unknown>>;
  readonly #ensureStats: Database.Statement<{ jobId: number; now: number }>;
  readonly #addStats: Database.Statement<Record<string, number>>;
  readonly #note: Database.Statement<{ jobId: number; note: string; now: number }>;
  readonly #stats: Database.Statement<{ jobId: number }, StatsRow>;

  /** For error messages (guardMethods below). */
  readonly journalPath: string;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
    this.journalPath = ctx.path;
    const { db } = ctx;
    this.#getXorb = db.prepare("SELECT * FROM xet_xorbs WHERE endpoint = @endpoint AND hash = @hash");
    this.#insertXorb = db.prepare(
      "INSERT INTO xet_xorbs (endpoint, hash, chunks, chunk_count, unpacked_bytes, serialized_bytes, state, created_at) " +
        "VALUES (@endpoint, @hash, @chunks, @count, @unpacked, @serialized, 'built', @now) " +
        "ON CONFLICT (endpoint, hash) DO NOTHING",
    );
    this.#markUploaded = db.prepare(
      "UPDATE xet_xorbs SET state = 'uploaded', uploaded_at = @now WHERE endpoint = @endpoint AND hash = @hash",
    );
    this.#indexChunk = db.prepare(
      "INSERT INTO xet_chunk_index (endpoint, chunk_hash, xorb_hash, chunk_index) " +
        "VALUES (@endpoint, @chunk, @hash, @index) ON CONFLICT (endpoint, chunk_hash) DO NOTHING",
    );
    this.#lookup = db.prepare(
      "SELECT xorb_hash, chunk_index FROM xet_chunk_index WHERE endpoint = @endpoint AND chunk_hash = @chunk",
    );
    this.#forgetIndex = db.prepare(
      "DELETE FROM xet_chunk_index WHERE endpoint = @endpoint AND xorb_hash = @hash",
    );
    this.#forgetXorb = db.prepare("DELETE FROM xet_xorbs WHERE endpoint = @endpoint AND hash = @hash");
    this.#getFile = db.prepare("SELECT * FROM xet_files WHERE file_id = @fileId AND sha256 = @sha256");
    this.#upsertFile = db.prepare(
      "INSERT INTO xet_files (file_id, sha256, xet_hash, terms, state, built_xorbs, bytes_sent, bytes_deduped, updated_at) " +
        "VALUES (@fileId, @sha256, @xetHash, @terms, @state, @builtXorbs, @bytesSent, @bytesDeduped, @now) " +
        "ON CONFLICT (file_id, sha256) DO UPDATE SET xet_hash = coalesce(excluded.xet_hash, xet_hash), " +
        "terms = coalesce(excluded.terms, terms), state = excluded.state, " +
        "built_xorbs = coalesce(excluded.built_xorbs, built_xorbs), " +
        "bytes_sent = bytes_sent + excluded.bytes_sent, bytes_deduped = excluded.bytes_deduped, " +
        "updated_at = excluded.updated_at",
    );
    this.#ensureStats = db.prepare(
      "INSERT INTO xet_job_stats (job_id, updated_at) SELECT @jobId, @now " +
        "WHERE EXISTS (SELECT 1 FROM jobs WHERE id = @jobId) ON CONFLICT (job_id) DO NOTHING",
    );
    this.#addStats = db.prepare(
      "UPDATE xet_job_stats SET bytes_chunked = bytes_chunked + @bytesChunked, " +
        "bytes_deduped = bytes_deduped + @bytesDeduped, bytes_sent = bytes_sent + @bytesSent, " +
        "xorbs_stored = xorbs_stored + @xorbsStored, files = files + @files, updated_at = @now " +
        "WHERE job_id = @jobId",
    );
    this.#note = db.prepare("UPDATE xet_job_stats SET note = @note, updated_at = @now WHERE job_id = @jobId");
    this.#stats = db.prepare(
      "SELECT bytes_chunked, bytes_deduped, bytes_sent, xorbs_stored, files, note FROM xet_job_stats WHERE job_id = @jobId",
    );
  }

  getXorb(endpoint: string, hash: string): XetXorbRecord | null {
    const row = this.#getXorb.get({ endpoint, hash });
    if (row === undefined) return null;
    return {
      endpoint: row.endpoint,
      hash: row.hash,
      chunks: unpackChunks(row.chunks),
      unpackedBytes: row.unpacked_bytes,
      serializedBytes: row.serialized_bytes,
      state: row.state as XetXorbState,
    };
  }

  recordXorbBuilt(
    endpoint: string,
    xorb: { hash: string; chunks: readonly XetChunkRef[]; unpackedBytes: number; serializedBytes: number },
  ): void {
    this.#insertXorb.run({
      endpoint,
      hash: xorb.hash,
      chunks: packChunks(xorb.chunks),
      count: xorb.chunks.length,
      unpacked: xorb.unpackedBytes,
      serialized: xorb.serializedBytes,
      now: this.#ctx.now(),
    });
  }

  recordXorbUploaded(endpoint: string, hash: string, jobId: number, bytesSent: number): void {
    this.#ctx.db.transaction(() => {
      const now = this.#ctx.now();
      const row = this.#getXorb.get({ endpoint, hash });
      if (row === undefined) return;
      const first = row.state !== "uploaded";
      this.#markUploaded.run({ endpoint, hash, now });
      if (first) {
        unpackChunks(row.chunks).forEach((c, index) => {
          this.#indexChunk.run({ endpoint, chunk: Buffer.from(c.hash), hash, index });
        });
      }
      this.#bump(jobId, { bytesSent, xorbsStored: first ? 1 : 0 }, now);
    })();
  }

  lookupChunk(endpoint: string, chunkHash: Uint8Array): { xorb: string; index: number } | null {
    const row = this.#lookup.get({ endpoint, chunk: Buffer.from(chunkHash) });
    return row === undefined ? null : { xorb: row.xorb_hash, index: row.chunk_index };
  }

  forgetXorb(endpoint: string, hash: string): void {
    this.#ctx.db.transaction(() => {
      this.#forgetIndex.run({ endpoint, hash });
      this.#forgetXorb.run({ endpoint, hash });
    })();
  }

  getFile(fileId: number, sha256: string): XetFileRecord | null {
    const row = this.#getFile.get({ fileId, sha256 });
    if (row === undefined) return null;
    return {
      fileId: row.file_id,
      sha256: row.sha256,
      xetHash: row.xet_hash,
      terms: parseTerms(row.terms),
      state: row.state as XetFileState,
      builtXorbs: row.built_xorbs === null ? [] : (JSON.parse(row.built_xorbs) as string[]),
      bytesSent: row.bytes_sent,
      bytesDeduped: row.bytes_deduped,
    };
  }

  recordFile(fileId: number, sha256: string, update: XetFileUpdate): void {
    this.#upsertFile.run({
      fileId,
      sha256,
      xetHash: update.xetHash ?? null,
      terms:
        update.terms === undefined
          ? null
          : JSON.stringify(update.terms.map((t) => [t.xorb, t.start, t.end, t.bytes])),
      state: update.state,
      builtXorbs: update.builtXorbs === undefined ? null : JSON.stringify(update.builtXorbs),
      bytesSent: update.bytesSent ?? 0,
      bytesDeduped: update.bytesDeduped ?? 0,
      now: this.#ctx.now(),
    });
  }

  addJobStats(jobId: number, delta: XetJobStatsDelta): void {
    this.#bump(jobId, delta, this.#ctx.now());
  }

  setJobNote(jobId: number, note: string): void {
    const now = this.#ctx.now();
    this.#ensureStats.run({ jobId, now });
    this.#note.run({ jobId, note, now });
  }

  jobStats(jobId: number): XetJobStats | null {
    const row = this.#stats.get({ jobId });
    if (row === undefined) return null;
    return {
      bytesChunked: row.bytes_chunked,
      bytesDeduped: row.bytes_deduped,
      bytesSent: row.bytes_sent,
      xorbsStored: row.xorbs_stored,
      files: row.files,
      note: row.note,
    };
  }

  #bump(jobId: number, delta: XetJobStatsDelta, now: number): void {
    this.#ensureStats.run({ jobId, now });
    this.#addStats.run({
      jobId,
      now,
      bytesChunked: delta.bytesChunked ?? 0,
      bytesDeduped: delta.bytesDeduped ?? 0,
      bytesSent: delta.bytesSent ?? 0,
      xorbsStored: delta.xorbsStored ?? 0,
      files: delta.files ?? 0,
    });
  }
}

guardMethods(XetStore, (store, err) => classifySqliteError(err, store.journalPath));
