import { createHash } from "node:crypto";
import type { EmulatorState } from "./emulator-state.js";
import { lfsPointerSize } from "./git-objects.js";
import type { RepoRow } from "./metadata-db.js";
import type { TreeView } from "./repo-store.js";
import type { EntryRow } from "./tree-index.js";

/** Builds tree / paths-info entries (hub-protocol.md §7.1); caches commit lookups for `expand`. */
export class EntryJson {
  readonly #state: EmulatorState;
  readonly #repo: RepoRow;
  readonly #view: TreeView;
  readonly #expand: boolean;
  readonly #commits = new Map<number, { id: string; title: string; date: string }>();
  /** A legacy (non-Xet) repo shows no `xetHash`. */
  readonly #xet: boolean;

  constructor(state: EmulatorState, repo: RepoRow, view: TreeView, expand: boolean) {
    this.#state = state;
    this.#repo = repo;
    this.#view = view;
    this.#expand = expand;
    this.#xet = state.xet?.enabledFor(repo.id) === true;
  }

  #lastCommit(seq: number): { id: string; title: string; date: string } | undefined {
    let c = this.#commits.get(seq);
    if (!c) {
      const row = this.#state.repos.commitBySeq(this.#repo.id, seq);
      if (!row) return undefined;
      c = { id: row.id, title: row.title, date: new Date(row.created_at).toISOString() };
      this.#commits.set(seq, c);
    }
    return c;
  }

  file(e: EntryRow): Record<string, unknown> {
    const lfs =
      e.kind === "lfs" ? { lfs: { oid: e.sha256, size: e.size, pointerSize: lfsPointerSize(e.size) } } : {};
    const expanded = this.#expand
      ? {
          lastCommit: this.#lastCommit(e.added_seq),
          securityFileStatus: {
            status: "safe",
            avScan: { virusFound: false, virusNames: null },
            pickleImportScan: null,
          },
        }
      : {};
    const xetHash =
      e.kind === "lfs" && this.#xet ? this.#state.xet?.store.fileForSha256(e.sha256)?.hash : undefined;
    const xet = xetHash === undefined ? {} : { xetHash };
    return { type: "file", oid: e.blob_oid, size: e.size, path: e.path, ...lfs, ...xet, ...expanded };
  }

  /**
   * A directory entry. Its `oid` is NOT a real git tree hash (that would cost O(subtree)): it is a
   * stable sha1 of the commit and path, which is all clients need (they only require presence).
   */
  directory(path: string): Record<string, unknown> {
    const oid = createHash("sha1").update(`tree ${this.#view.commitId} ${path}`).digest("hex");
    return { type: "directory", oid, size: 0, path };
  }
}
