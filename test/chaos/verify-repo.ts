import { readTree } from "../helpers/folder-tree.js";
import {
  downloadRemoteFile,
  listRemoteCommits,
  listRemoteFiles,
  type RemoteEntry,
  type RemoteRepo,
} from "../helpers/remote-repo.js";
import { type Check, noneOf } from "./check.js";
import { type VersionBook, versionOf } from "./version-book.js";

const GITATTRIBUTES = ".gitattributes";

export interface RepoVerdict {
  readonly checks: Check[];
  /** Commit ids of main, oldest first, without the repo's initial commit. */
  readonly commitIds: string[];
}

function entryKey(e: RemoteEntry): string {
  return `${e.oid}:${e.lfs?.oid ?? ""}:${e.size}`;
}

/**
 * The end state, read back over HTTP: main holds exactly the folder, byte for byte, and every
 * commit of its history holds only versions the files really had and changes something (a
 * blindly re-sent batch would be a commit that changes nothing).
 */
export async function verifyRepo(repo: RemoteRepo, book: VersionBook): Promise<RepoVerdict> {
  const checks: Check[] = [];
  const local = readTree(book.folder);
  checks.push(
    noneOf(
      "the driver's record matches the folder (last version written of each file)",
      book.paths().filter((rel) => {
        const content = local.get(rel);
        return content === undefined || versionOf(content).sha256 !== book.latest(rel)?.sha256;
      }),
    ),
  );

  const remote = await listRemoteFiles(repo);
  checks.push(
    noneOf(
      "every file of the folder is in the repo",
      [...local.keys()].filter((p) => !remote.has(p)),
      `${local.size} files`,
    ),
    noneOf(
      "no extra file in the repo (besides .gitattributes)",
      [...remote.keys()].filter((p) => p !== GITATTRIBUTES && !local.has(p)),
    ),
  );
  const different: string[] = [];
  for (const [rel, content] of local) {
    if (!remote.has(rel)) continue;
    const downloaded = await downloadRemoteFile(repo, rel);
    if (!downloaded.equals(content))
      different.push(`${rel} (${downloaded.length} vs ${content.length} bytes)`);
  }
  checks.push(noneOf("every file downloads byte-identical to the folder", different));

  // Oldest first; the first one is the repo's initial commit (.gitattributes only).
  const commits = (await listRemoteCommits(repo)).reverse();
  const stale: string[] = [];
  const unchanged: string[] = [];
  let parent: Map<string, string> | null = null;
  for (const commit of commits) {
    const tree = await listRemoteFiles({ ...repo, revision: commit.id });
    const keys = new Map([...tree.values()].map((e) => [e.path, entryKey(e)]));
    if (parent !== null) {
      const before = parent;
      const same = keys.size === before.size && [...keys].every(([p, k]) => before.get(p) === k);
      if (same) unchanged.push(`${commit.id.slice(0, 8)} "${commit.title}"`);
    }
    parent = keys;
    for (const e of tree.values()) {
      if (e.path === GITATTRIBUTES) continue;
      const known = e.lfs
        ? book.knows(e.path, { sha256: e.lfs.oid }, e.lfs.size)
        : book.knows(e.path, { sha1: e.oid }, e.size);
      if (!known)
        stale.push(`${commit.id.slice(0, 8)}: ${e.path} (${e.lfs ? "lfs" : "regular"}, ${e.size} B)`);
    }
  }
  checks.push(
    noneOf(
      "every commit holds only versions the files really had",
      [...new Set(stale)],
      `${commits.length} commits walked`,
    ),
    noneOf("every commit changes something (no duplicate commit)", unchanged),
  );
  return { checks, commitIds: commits.slice(1).map((c) => c.id) };
}
