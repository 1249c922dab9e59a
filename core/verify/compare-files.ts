import type { PathInfo } from "../hub/hub-client.js";

/** One local file, hashed, at its path in the repo. */
export interface LocalOid {
  /** Path in the repo. */
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
  /** git blob sha1; null above 10 MiB (such a file can only be LFS on the Hub). */
  readonly sha1: string | null;
}

export interface Difference {
  readonly path: string;
  /** How the remote stores it: the oid compared is the sha256 for lfs, the blob sha1 for regular. */
  readonly remoteMode: "lfs" | "regular";
  readonly local: { readonly size: number; readonly oid: string | null };
  readonly remote: { readonly size: number; readonly oid: string };
}

export interface FileComparison {
  readonly identical: string[];
  readonly different: Difference[];
  /** Local files the remote branch does not hold. */
  readonly missingRemotely: string[];
  /** Remote files under the prefix, kept by the filters, that the folder does not hold. */
  readonly onlyRemote: string[];
}

/**
 * Compares local oids with the Hub's (hub-protocol.md §7.1, §7.5): an LFS file is identical when
 * its content sha256 equals `lfs.oid`; a regular file when its git blob sha1 equals `oid`. Sizes
 * are compared too (a cheap first test, and what tells apart a big file the Hub holds as regular).
 * Output lists are sorted by path so text and JSON are stable.
 */
export function compareFiles(
  locals: Iterable<LocalOid>,
  remote: ReadonlyMap<string, PathInfo>,
): FileComparison {
  const identical: string[] = [];
  const different: Difference[] = [];
  const missingRemotely: string[] = [];
  const seen = new Set<string>();
  for (const local of locals) {
    seen.add(local.path);
    const entry = remote.get(local.path);
    if (entry === undefined) {
      missingRemotely.push(local.path);
      continue;
    }
    const lfs = entry.lfs !== null;
    const localOid = lfs ? local.sha256 : local.sha1;
    const remoteOid = lfs ? (entry.lfs?.oid ?? "") : entry.oid;
    if (entry.size === local.size && localOid === remoteOid) {
      identical.push(local.path);
      continue;
    }
    different.push({
      path: local.path,
      remoteMode: lfs ? "lfs" : "regular",
      local: { size: local.size, oid: localOid },
      remote: { size: entry.size, oid: remoteOid },
    });
  }
  const onlyRemote = [...remote.keys()].filter((p) => !seen.has(p));
  const byPath = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return {
    identical: identical.sort(byPath),
    different: different.sort((a, b) => byPath(a.path, b.path)),
    missingRemotely: missingRemotely.sort(byPath),
    onlyRemote: onlyRemote.sort(byPath),
  };
}
