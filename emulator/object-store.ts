import { createHash, randomUUID } from "node:crypto";
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type Database from "better-sqlite3";
import { HubError } from "./hub-error.js";

export interface Received {
  readonly tmpFile: string;
  readonly size: number;
  /** Hex digests, by algorithm name ("sha256", "md5", …). */
  readonly digests: Readonly<Record<string, string>>;
}

const WRITE_HWM = 4 * 1024 * 1024;
/** Regular-file contents up to this size live in SQLite: one file each would cost 3 syscalls and a dir. */
export const SMALL_BLOB_MAX = 64 * 1024;
const STAGE_FLUSH_BYTES = 16 * 1024 * 1024;

/**
 * Content-addressed storage by sha256. LFS objects and large regular-file contents are files under
 * `<dataDir>/objects/ab/cd/<sha256>`; small regular contents are rows of the `blobs` table.
 * Multipart parts live under `parts/<uploadId>/<n>`. Files are written to `tmp/` first and renamed
 * into place, so a crash never leaves a partial object under its final name.
 */
export class ObjectStore {
  readonly #root: string;
  readonly #tmp: string;
  readonly #getBlob: Database.Statement<[string], { content: Buffer }>;
  readonly #hasBlob: Database.Statement<[string], { one: number }>;
  readonly #insertBlob: Database.Statement<[string, Buffer]>;
  readonly #flush: (items: [string, Buffer][]) => void;
  #staged: [string, Buffer][] = [];
  #stagedBytes = 0;

  constructor(dataDir: string, db: Database.Database) {
    this.#root = dataDir;
    this.#tmp = join(dataDir, "tmp");
    this.#getBlob = db.prepare("SELECT content FROM blobs WHERE sha256 = ?");
    this.#hasBlob = db.prepare("SELECT 1 AS one FROM blobs WHERE sha256 = ?");
    this.#insertBlob = db.prepare("INSERT OR IGNORE INTO blobs (sha256, content) VALUES (?, ?)");
    this.#flush = db.transaction((items: [string, Buffer][]) => {
      for (const [sha, content] of items) this.#insertBlob.run(sha, content);
    });
    mkdirSync(join(dataDir, "objects"), { recursive: true });
    mkdirSync(join(dataDir, "parts"), { recursive: true });
    // Leftovers of interrupted uploads are garbage: nothing refers to them.
    rmSync(this.#tmp, { recursive: true, force: true });
    mkdirSync(this.#tmp, { recursive: true });
  }

  objectPath(sha256: string): string {
    return join(this.#root, "objects", sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  /** Size of a stored object, or undefined when it is not stored. */
  objectSize(sha256: string): number | undefined {
    return statSync(this.objectPath(sha256), { throwIfNoEntry: false })?.size;
  }

  hasObject(sha256: string): boolean {
    return existsSync(this.objectPath(sha256));
  }

  partDir(uploadId: string): string {
    return join(this.#root, "parts", uploadId);
  }

  partPath(uploadId: string, partNumber: number): string {
    return join(this.partDir(uploadId), String(partNumber));
  }

  /**
   * Stores a regular file's content; returns its sha256. Small contents are staged and written to
   * SQLite in batches (call `flushStaged` before anything refers to them).
   */
  async putBuffer(content: Buffer): Promise<string> {
    const sha256 = createHash("sha256").update(content).digest("hex");
    if (content.length <= SMALL_BLOB_MAX) {
      this.#staged.push([sha256, content]);
      this.#stagedBytes += content.length;
      if (this.#stagedBytes >= STAGE_FLUSH_BYTES) this.flushStaged();
      return sha256;
    }
    if (this.hasObject(sha256)) return sha256;
    const tmp = join(this.#tmp, randomUUID());
    await writeFile(tmp, content);
    await this.#moveInto(tmp, this.objectPath(sha256));
    return sha256;
  }

  /** Writes staged small contents in one transaction. */
  flushStaged(): void {
    if (this.#staged.length === 0) return;
    const items = this.#staged;
    this.#staged = [];
    this.#stagedBytes = 0;
    this.#flush(items);
  }

  /** Synchronous variant for use inside a SQLite transaction. */
  putBufferSync(content: Buffer): string {
    const sha256 = createHash("sha256").update(content).digest("hex");
    if (content.length <= SMALL_BLOB_MAX) {
      this.#insertBlob.run(sha256, content);
      return sha256;
    }
    const dest = this.objectPath(sha256);
    if (existsSync(dest)) return sha256;
    const tmp = join(this.#tmp, randomUUID());
    writeFileSync(tmp, content);
    mkdirSync(join(dest, ".."), { recursive: true });
    renameSync(tmp, dest);
    return sha256;
  }

  /** A small content kept in SQLite, or undefined when the content is a file. */
  smallBlob(sha256: string): Buffer | undefined {
    return this.#getBlob.get(sha256)?.content;
  }

  /** Reads a stored regular content whole (e.g. a .gitattributes). */
  readObject(sha256: string): Buffer {
    return this.smallBlob(sha256) ?? readFileSync(this.objectPath(sha256));
  }

  /** True when a regular content is stored (in SQLite or as a file). */
  hasContent(sha256: string): boolean {
    return this.#hasBlob.get(sha256) !== undefined || this.hasObject(sha256);
  }

  /**
   * Streams `source` to a temp file while hashing it in the same pass (no second read).
   * Refuses more than `maxBytes` with 400. The caller commits or discards the temp file.
   */
  async receive(
    source: Readable | AsyncIterable<Buffer>,
    maxBytes: number,
    algorithms: readonly string[],
  ): Promise<Received> {
    const tmpFile = join(this.#tmp, randomUUID());
    const hashes = algorithms.map((a) => createHash(a));
    let size = 0;
    try {
      await pipeline(
        source,
        async function* (chunks: AsyncIterable<Buffer>) {
          for await (const chunk of chunks) {
            size += chunk.length;
            if (size > maxBytes) {
              throw new HubError(400, "SizeMismatch", `Body is larger than the expected ${maxBytes} bytes.`);
            }
            for (const h of hashes) h.update(chunk);
            yield chunk;
          }
        },
        createWriteStream(tmpFile, { highWaterMark: WRITE_HWM }),
      );
    } catch (err) {
      await rm(tmpFile, { force: true });
      throw err;
    }
    const digests: Record<string, string> = {};
    algorithms.forEach((a, i) => {
      const h = hashes[i];
      if (h) digests[a] = h.digest("hex");
    });
    return { tmpFile, size, digests };
  }

  /** Moves a received temp file into the object store under its sha256. */
  async commitObject(tmpFile: string, sha256: string): Promise<void> {
    await this.#moveInto(tmpFile, this.objectPath(sha256));
  }

  async commitPart(tmpFile: string, uploadId: string, partNumber: number): Promise<void> {
    await this.#moveInto(tmpFile, this.partPath(uploadId, partNumber), true);
  }

  async discard(tmpFile: string): Promise<void> {
    await rm(tmpFile, { force: true });
  }

  async removeParts(uploadId: string): Promise<void> {
    await rm(this.partDir(uploadId), { recursive: true, force: true });
  }

  /** Concatenates parts 1..n of an upload into a temp file, hashing on the way. */
  async assemble(uploadId: string, partCount: number, maxBytes: number): Promise<Received> {
    const partPath = (n: number) => this.partPath(uploadId, n);
    async function* concat(): AsyncIterable<Buffer> {
      for (let n = 1; n <= partCount; n++) {
        for await (const chunk of createReadStream(partPath(n), { highWaterMark: WRITE_HWM })) {
          yield chunk as Buffer;
        }
      }
    }
    return this.receive(concat(), maxBytes, ["sha256"]);
  }

  async #moveInto(tmpFile: string, dest: string, overwrite = false): Promise<void> {
    await mkdir(join(dest, ".."), { recursive: true });
    if (!overwrite && existsSync(dest)) {
      // Same name means same content: keep the stored copy.
      await rm(tmpFile, { force: true });
      return;
    }
    await rename(tmpFile, dest);
  }
}
