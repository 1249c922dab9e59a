import type { PathInfo } from "./hub-client.js";
import type { HubError } from "./hub-error.js";
import { isRecord } from "./protocol-error.js";

/**
 * Validates a paths-info answer (hub-protocol.md §7.1): an array with one entry per existing path.
 * Files need `path`, `oid`, `size`; directories `path`, `oid`; `lfs` carries the content's sha256.
 * Entries of other types (the JS types list "unknown") are left out.
 */
export function parsePathsInfo(json: unknown, fail: (what: string) => HubError): PathInfo[] {
  if (!Array.isArray(json)) throw fail("the answer is not an array");
  const out: PathInfo[] = [];
  for (const entry of json) {
    if (!isRecord(entry) || typeof entry.path !== "string" || typeof entry.oid !== "string") {
      throw fail("an entry has no string `path` and `oid`");
    }
    const { path, oid, type } = entry;
    if (type === "directory") {
      out.push({ path, type, oid, size: typeof entry.size === "number" ? entry.size : 0, lfs: null });
      continue;
    }
    if (type !== "file") continue;
    if (typeof entry.size !== "number") throw fail(`"${path}" has no numeric \`size\``);
    let lfs: PathInfo["lfs"] = null;
    if (entry.lfs !== undefined && entry.lfs !== null) {
      const info = entry.lfs;
      if (!isRecord(info) || typeof info.oid !== "string" || typeof info.size !== "number") {
        throw fail(`"${path}" has an \`lfs\` without string oid and numeric size`);
      }
      lfs = { oid: info.oid, size: info.size };
    }
    out.push({ path, type, oid, size: entry.size, lfs });
  }
  return out;
}
