import type { RepoType } from "./metadata-db.js";

/** `""`, `datasets/` or `spaces/`: the git/web URL prefix of a repo type (hub-protocol.md §1.2). */
export function webPrefix(type: RepoType): string {
  return type === "model" ? "" : `${type}s/`;
}

/** The repo's web URL on the emulator's host, e.g. `http://127.0.0.1:3000/datasets/alice/ds`. */
export function repoWebUrl(
  baseUrl: string,
  repo: { type: RepoType; namespace: string; name: string },
): string {
  return `${baseUrl}/${webPrefix(repo.type)}${repo.namespace}/${repo.name}`;
}

/** The repo's API base, e.g. `http://127.0.0.1:3000/api/datasets/alice/ds`. */
export function repoApiUrl(
  baseUrl: string,
  repo: { type: RepoType; namespace: string; name: string },
): string {
  return `${baseUrl}/api/${repo.type}s/${repo.namespace}/${repo.name}`;
}
