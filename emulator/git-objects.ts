import { createHash } from "node:crypto";

/** Git blob SHA-1 of `content`, i.e. `git hash-object`: sha1("blob <len>\0" + content). */
export function gitBlobSha1(content: Buffer | string): string {
  const buf = typeof content === "string" ? Buffer.from(content, "utf8") : content;
  return createHash("sha1").update(`blob ${buf.length}\0`).update(buf).digest("hex");
}

/** The LFS pointer text git stores in place of an LFS file (3 lines, each ending in `\n`). */
export function lfsPointer(sha256: string, size: number): string {
  return `version https://git-lfs.github.com/spec/v1\noid sha256:${sha256}\nsize ${size}\n`;
}

/** Blob SHA-1 and byte size of the LFS pointer for an object: what tree listings report as `oid`. */
export function lfsPointerInfo(sha256: string, size: number): { oid: string; pointerSize: number } {
  const text = lfsPointer(sha256, size);
  return { oid: gitBlobSha1(text), pointerSize: Buffer.byteLength(text) };
}

export function sha256Hex(content: Buffer | string): string {
  return createHash("sha256").update(content).digest("hex");
}

/** Byte size of the LFS pointer text (what tree listings report as `pointerSize`), without hashing. */
export function lfsPointerSize(size: number): number {
  return 125 + String(size).length;
}
