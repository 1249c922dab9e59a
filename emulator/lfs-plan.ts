import { createHash } from "node:crypto";
import type { RequestContext } from "./emulator-state.js";
import type { RepoRow } from "./metadata-db.js";

export const LFS_CONTENT_TYPE = "application/vnd.git-lfs+json";

/** Base path of an object's presigned storage URLs. */
export function storagePath(repo: RepoRow, oid: string): string {
  return `/_emulator/lfs/${repo.type}s/${encodeURIComponent(repo.namespace)}/${encodeURIComponent(repo.name)}/${oid}`;
}

/**
 * Multipart upload id: derived from what the plan depends on, so a re-plan (or a restart) for the
 * same object reuses the parts already stored; ETags still prove each part's content.
 */
export function uploadIdFor(repo: RepoRow, oid: string, size: number, chunk: number): string {
  return createHash("sha256").update(`${repo.id}/${oid}/${size}/${chunk}`).digest("hex").slice(0, 32);
}

export interface UploadAction {
  readonly href: string;
  readonly header?: Record<string, string>;
  readonly expires_in: number;
}

/** The `actions.upload` of one object: a basic PUT URL or a multipart plan. */
export function planUpload(
  ctx: RequestContext,
  repo: RepoRow,
  oid: string,
  size: number,
  multipart: boolean,
): UploadAction {
  const { signer, config } = ctx.state;
  const ttl = config.uploadUrlTtlSeconds;
  const base = storagePath(repo, oid);
  if (!multipart) {
    return { href: ctx.baseUrl + signer.sign("PUT", base, { size: String(size) }, ttl), expires_in: ttl };
  }
  const chunk = config.multipartChunkBytes;
  const parts = Math.ceil(size / chunk);
  const upload = uploadIdFor(repo, oid, size, chunk);
  const common = { size: String(size), chunk: String(chunk), upload };
  // Insertion order = ascending part keys: the JS client iterates keys in insertion order.
  const header: Record<string, string> = { chunk_size: String(chunk) };
  for (let n = 1; n <= parts; n++) {
    header[String(n).padStart(5, "0")] = ctx.baseUrl + signer.sign("PUT", `${base}/part/${n}`, common, ttl);
  }
  const href =
    ctx.baseUrl + signer.sign("POST", `${base}/complete`, { ...common, parts: String(parts) }, ttl);
  return { href, header, expires_in: ttl };
}
