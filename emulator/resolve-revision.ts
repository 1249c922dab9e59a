import type { EmulatorState } from "./emulator-state.js";
import { HubError } from "./hub-error.js";
import type { RefRow, RepoRow } from "./metadata-db.js";
import type { TreeView } from "./repo-store.js";

export interface ResolvedRevision {
  readonly view: TreeView;
  /** Set when the revision names a ref (branch or PR) rather than a commit or tag. */
  readonly ref: RefRow | undefined;
}

export function revisionNotFound(rev: string): HubError {
  return new HubError(404, "RevisionNotFound", `Invalid rev id: ${rev}`);
}

/** Resolves a branch, `refs/heads/x`, `refs/pr/N`, a tag (`refs/tags/x`) or a (possibly abbreviated) commit id. */
export function resolveRevision(state: EmulatorState, repo: RepoRow, rev: string): ResolvedRevision {
  const refName = rev.startsWith("refs/heads/") ? rev.slice("refs/heads/".length) : rev;
  const ref = state.repos.getRef(repo.id, refName);
  if (ref) return { view: { lineId: ref.line_id, seq: ref.head_seq, commitId: ref.head_commit }, ref };
  const tagName = rev.startsWith("refs/tags/") ? rev.slice("refs/tags/".length) : rev;
  const tag = state.db
    .prepare<[number, string], { commit_id: string }>(
      "SELECT commit_id FROM tags WHERE repo_id = ? AND name = ?",
    )
    .get(repo.id, tagName);
  const target = tag?.commit_id ?? rev;
  if (/^[0-9a-fA-F]{7,40}$/.test(target)) {
    const id = target.toLowerCase();
    const commit =
      id.length === 40 ? state.repos.getCommit(repo.id, id) : state.repos.commitByPrefix(repo.id, id);
    if (commit)
      return { view: { lineId: commit.line_id, seq: commit.seq, commitId: commit.id }, ref: undefined };
  }
  throw revisionNotFound(rev);
}
