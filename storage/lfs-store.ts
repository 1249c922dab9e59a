import type Database from "better-sqlite3";
import { classifySqliteError } from "./classify-sqlite-error.js";
import { guardMethods } from "./guard-methods.js";
import type { LfsJournal, LfsPlan, StoredLfsPlan } from "./journal.js";
import type { StoreContext } from "./store-context.js";

interface PlanRow {
  file_id: number;
  oid: string;
  size: number;
  chunk_size: number;
  completion_url: string;
  part_urls: string;
  expires_at: number | null;
  verify_url: string | null;
  verify_header: string | null;
  created_at: number;
}

interface PlanParams {
  fileId: number;
  oid: string;
  size: number;
  chunkSize: number;
  completionUrl: string;
  partUrls: string;
  expiresAt: number | null;
  verifyUrl: string | null;
  verifyHeader: string | null;
  now: number;
}

function parseStrings(text: string): string[] {
  const value: unknown = JSON.parse(text);
  return Array.isArray(value) ? value.map(String) : [];
}

function parseHeader(text: string | null): Record<string, string> | null {
  if (text === null) return null;
  const value: unknown = JSON.parse(text);
  if (typeof value !== "object" || value === null) return null;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, String(item)]));
}

/** LFS multipart progress: the batch answer and each finished part's ETag, so a restart resumes. */
export class LfsStore implements LfsJournal {
  readonly #insert: Database.Statement<PlanParams>;
  readonly #delete: Database.Statement<[number]>;
  readonly #get: Database.Statement<[number], PlanRow>;
  readonly #parts: Database.Statement<[number], { part_number: number; etag: string }>;
  readonly #partDone: Database.Statement<{ fileId: number; part: number; etag: string }>;
  readonly #save: (fileId: number, plan: LfsPlan) => void;
  readonly #read: (fileId: number) => StoredLfsPlan | null;

  /** For error messages (guardMethods below). */
  readonly journalPath: string;

  constructor(ctx: StoreContext) {
    this.journalPath = ctx.path;
    const { db } = ctx;
    this.#insert = db.prepare(
      "INSERT INTO lfs_uploads (file_id, oid, size, chunk_size, completion_url, part_urls, expires_at, " +
        "verify_url, verify_header, created_at) VALUES (@fileId, @oid, @size, @chunkSize, @completionUrl, " +
        "@partUrls, @expiresAt, @verifyUrl, @verifyHeader, @now)",
    );
    this.#delete = db.prepare("DELETE FROM lfs_uploads WHERE file_id = ?");
    this.#get = db.prepare("SELECT * FROM lfs_uploads WHERE file_id = ?");
    this.#parts = db.prepare(
      "SELECT part_number, etag FROM lfs_parts WHERE file_id = ? ORDER BY part_number",
    );
    // A part finishing after its plan was dropped (rescan, integrity failure) is simply forgotten.
    this.#partDone = db.prepare(
      "INSERT INTO lfs_parts (file_id, part_number, etag) SELECT @fileId, @part, @etag " +
        "WHERE EXISTS (SELECT 1 FROM lfs_uploads WHERE file_id = @fileId) " +
        "ON CONFLICT (file_id, part_number) DO UPDATE SET etag = excluded.etag",
    );
    // A new plan replaces the old one and its parts (ON DELETE CASCADE): old ETags belong to old URLs.
    this.#save = db.transaction((fileId: number, plan: LfsPlan) => {
      this.#delete.run(fileId);
      this.#insert.run({
        fileId,
        oid: plan.oid,
        size: plan.size,
        chunkSize: plan.chunkSize,
        completionUrl: plan.completionUrl,
        partUrls: JSON.stringify(plan.partUrls),
        expiresAt: plan.expiresAt,
        verifyUrl: plan.verifyUrl,
        verifyHeader: plan.verifyHeader === null ? null : JSON.stringify(plan.verifyHeader),
        now: ctx.now(),
      });
    }).immediate;
    // One read transaction so the plan and its parts come from the same snapshot.
    this.#read = db.transaction((fileId: number): StoredLfsPlan | null => {
      const row = this.#get.get(fileId);
      if (row === undefined) return null;
      const doneParts = new Map<number, string>();
      for (const part of this.#parts.all(fileId)) doneParts.set(part.part_number, part.etag);
      return {
        fileId: row.file_id,
        oid: row.oid,
        size: row.size,
        chunkSize: row.chunk_size,
        completionUrl: row.completion_url,
        partUrls: parseStrings(row.part_urls),
        expiresAt: row.expires_at,
        verifyUrl: row.verify_url,
        verifyHeader: parseHeader(row.verify_header),
        createdAt: row.created_at,
        doneParts,
      };
    }).deferred;
  }

  savePlan(fileId: number, plan: LfsPlan): void {
    this.#save(fileId, plan);
  }

  getPlan(fileId: number): StoredLfsPlan | null {
    return this.#read(fileId);
  }

  recordPartDone(fileId: number, partNumber: number, etag: string): void {
    this.#partDone.run({ fileId, part: partNumber, etag });
  }

  deletePlan(fileId: number): void {
    this.#delete.run(fileId);
  }
}

guardMethods(LfsStore, (store, err) => classifySqliteError(err, store.journalPath));
