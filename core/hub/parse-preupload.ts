import type { PreuploadAnswer, PreuploadFile } from "./hub-client.js";
import type { HubError } from "./hub-error.js";
import { isRecord } from "./protocol-error.js";

/**
 * Validates a preupload answer (hub-protocol.md §3) and returns one answer per requested path, in
 * request order: every path echoed, `uploadMode` lfs|regular, `shouldIgnore` present. Empty files
 * are forced to `regular`, as the Python client does (storage cannot take a 0-byte LFS object).
 */
export function parsePreupload(
  json: unknown,
  requested: readonly PreuploadFile[],
  fail: (what: string) => HubError,
): PreuploadAnswer[] {
  if (!isRecord(json) || !Array.isArray(json.files)) throw fail("`files` is not an array");
  const byPath = new Map<string, PreuploadAnswer>();
  for (const entry of json.files) {
    if (!isRecord(entry) || typeof entry.path !== "string") throw fail("an entry of `files` has no `path`");
    const { path, uploadMode, shouldIgnore, oid } = entry;
    if (uploadMode !== "lfs" && uploadMode !== "regular") {
      throw fail(`"${path}" has uploadMode ${JSON.stringify(uploadMode)} (expected "lfs" or "regular")`);
    }
    if (typeof shouldIgnore !== "boolean") throw fail(`"${path}" has no boolean \`shouldIgnore\``);
    if (oid !== undefined && oid !== null && typeof oid !== "string")
      throw fail(`"${path}" has a non-string oid`);
    byPath.set(path, { path, uploadMode, shouldIgnore, oid: oid ?? null });
  }
  return requested.map((file) => {
    const answer = byPath.get(file.path);
    if (answer === undefined) throw fail(`no answer for "${file.path}"`);
    return file.size === 0 ? { ...answer, uploadMode: "regular" } : answer;
  });
}
