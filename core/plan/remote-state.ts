import type { HubClient, HubRepo, PathInfo } from "../hub/hub-client.js";
import { HubError } from "../hub/hub-error.js";

export interface RemoteState {
  readonly repoExists: boolean;
  readonly branchExists: boolean;
  /**
   * The revision whose files the upload starts from: the branch, or for a branch the upload will
   * create, the default branch it starts at (`main`).
   */
  readonly baseRevision: string;
  /** Files of the whole repo at baseRevision (empty for a repo that does not exist yet). */
  readonly files: Map<string, PathInfo>;
  readonly remoteFiles: number;
}

/** What the repo holds now, read-only: repo info, then the recursive tree listing (paginated). */
export async function remoteState(
  hub: HubClient,
  repo: HubRepo,
  revision: string,
  signal?: AbortSignal,
): Promise<RemoteState> {
  let branchExists = true;
  let baseRevision = revision;
  try {
    await hub.repoInfo(repo, revision, signal);
  } catch (err) {
    if (!(err instanceof HubError)) throw err;
    if (err.code === "ERR_HUB_REPO_NOT_FOUND") {
      return {
        repoExists: false,
        branchExists: false,
        baseRevision: revision,
        files: new Map(),
        remoteFiles: 0,
      };
    }
    if (err.code !== "ERR_HUB_REVISION_NOT_FOUND") throw err;
    // The upload creates the branch from the default branch's head (ensure-revision.ts).
    branchExists = false;
    baseRevision = "main";
  }
  const files = new Map<string, PathInfo>();
  for await (const page of hub.listTree(repo, baseRevision, {
    path: "",
    recursive: true,
    ...(signal ? { signal } : {}),
  })) {
    for (const info of page) if (info.type === "file") files.set(info.path, info);
  }
  return { repoExists: true, branchExists, baseRevision, files, remoteFiles: files.size };
}
