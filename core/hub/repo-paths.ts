import type { HubRepo } from "./hub-client.js";

export interface RepoPaths {
  /** `{E}/api/{type}s/{ns}/{name}` */
  readonly api: string;
  /** `{E}/{prefix}{ns}/{name}` — the web URL, also what create_repo answers. */
  readonly web: string;
  readonly lfsBatch: string;
  preupload(revision: string): string;
  commit(revision: string): string;
  pathsInfo(revision: string): string;
  revision(revision: string): string;
  branch(branch: string): string;
  /** `…/tree/{rev}[/{path}]`: the path's segments are encoded one by one (slashes stay). */
  tree(revision: string, path: string): string;
  /** `…/discussions` */
  readonly discussions: string;
}

/**
 * URL builders (hub-protocol.md §1.2, §1.4): `/api/{type}s/…` for the API, the git/web prefix
 * (`""`, `datasets/`, `spaces/`) for the LFS batch route; the revision is percent-encoded exactly
 * once in /api paths (`refs/pr/1` → `refs%2Fpr%2F1`) because the Hub decodes it once.
 */
export function repoPaths(endpoint: string, repo: HubRepo): RepoPaths {
  const id = repo.id.split("/").map(encodeURIComponent).join("/");
  const api = `${endpoint}/api/${repo.type}s/${id}`;
  const prefix = repo.type === "model" ? "" : `${repo.type}s/`;
  const rev = (revision: string) => encodeURIComponent(revision);
  return {
    api,
    web: `${endpoint}/${prefix}${id}`,
    lfsBatch: `${endpoint}/${prefix}${id}.git/info/lfs/objects/batch`,
    preupload: (revision) => `${api}/preupload/${rev(revision)}`,
    commit: (revision) => `${api}/commit/${rev(revision)}`,
    pathsInfo: (revision) => `${api}/paths-info/${rev(revision)}`,
    revision: (revision) => `${api}/revision/${rev(revision)}`,
    branch: (branch) => `${api}/branch/${rev(branch)}`,
    tree: (revision, path) =>
      `${api}/tree/${rev(revision)}${path === "" ? "" : `/${path.split("/").map(encodeURIComponent).join("/")}`}`,
    discussions: `${api}/discussions`,
  };
}
