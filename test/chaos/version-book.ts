import { createHash } from "node:crypto";
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";

/** One content a file really had: its Hub oids (git blob sha1 for regular files, sha256 for LFS). */
export interface FileVersion {
  readonly size: number;
  readonly sha1: string;
  readonly sha256: string;
}

/** How a new version reaches the disk: in place (truncate + write, same inode) or renamed over the file. */
export type WriteMode = "create" | "in-place" | "atomic";

interface Entry {
  readonly versions: FileVersion[];
  inPlaceRewrites: number;
}

export function versionOf(content: Buffer): FileVersion {
  const sha1 = createHash("sha1").update(`blob ${content.length}\0`).update(content).digest("hex");
  const sha256 = createHash("sha256").update(content).digest("hex");
  return { size: content.length, sha1, sha256 };
}

/**
 * Writes the chaos folder and remembers every version of every file, so the checks can tell a
 * commit of a real (possibly older) version from content that never existed.
 */
export class VersionBook {
  readonly folder: string;
  readonly #staging: string;
  readonly #entries = new Map<string, Entry>();
  #staged = 0;

  /** `staging` must be on the folder's filesystem (renames) and outside it (never scanned). */
  constructor(folder: string, staging: string) {
    this.folder = folder;
    this.#staging = staging;
    mkdirSync(folder, { recursive: true });
    mkdirSync(staging, { recursive: true });
  }

  write(rel: string, content: Buffer, mode: WriteMode): void {
    const entry = this.#entries.get(rel) ?? { versions: [], inPlaceRewrites: 0 };
    this.#entries.set(rel, entry);
    // Recorded before the bytes land: whatever the daemon reads from now on may be this version.
    entry.versions.push(versionOf(content));
    const full = path.join(this.folder, rel);
    if (mode === "atomic") {
      const tmp = path.join(this.#staging, `v${this.#staged++}`);
      writeFileSync(tmp, content);
      renameSync(tmp, full);
      return;
    }
    if (mode === "in-place") entry.inPlaceRewrites += 1;
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, content);
  }

  paths(): string[] {
    return [...this.#entries.keys()];
  }

  /** Whether `rel` ever held content with this oid (sha256 for LFS entries, blob sha1 otherwise). */
  knows(rel: string, oid: { sha1?: string; sha256?: string }, size: number): boolean {
    const versions = this.#entries.get(rel)?.versions ?? [];
    return versions.some(
      (v) =>
        v.size === size &&
        (oid.sha256 === undefined || v.sha256 === oid.sha256) &&
        (oid.sha1 === undefined || v.sha1 === oid.sha1),
    );
  }

  versionCount(rel: string): number {
    return this.#entries.get(rel)?.versions.length ?? 0;
  }

  inPlaceRewrites(rel: string): number {
    return this.#entries.get(rel)?.inPlaceRewrites ?? 0;
  }

  /** The last version has the content of an earlier one (e.g. emptied twice): the Hub may already hold it. */
  latestRepeatsEarlier(rel: string): boolean {
    const versions = this.#entries.get(rel)?.versions ?? [];
    const last = versions.at(-1);
    return last !== undefined && versions.slice(0, -1).some((v) => v.sha256 === last.sha256);
  }

  latest(rel: string): FileVersion | undefined {
    return this.#entries.get(rel)?.versions.at(-1);
  }
}
