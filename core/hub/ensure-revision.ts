import type { HubClient, HubRepo } from "./hub-client.js";
import { HubError } from "./hub-error.js";

/** `refs/pr/N`: a pull request's branch is opened on the Hub, never created by an upload. */
const PR_REF = /^refs\/pr\/\d+$/;

/**
 * Makes sure `revision` exists before the job uploads to it. A missing plain branch is created
 * from the default branch's head and the job goes on, as `hf upload --revision NEW` does; a missing
 * `refs/pr/N` cannot be created by us and rejects with a message naming it.
 */
export async function ensureRevision(
  hub: HubClient,
  repo: HubRepo,
  revision: string,
  signal?: AbortSignal,
): Promise<"exists" | "created"> {
  try {
    await hub.repoInfo(repo, revision, signal);
    return "exists";
  } catch (err) {
    if (!(err instanceof HubError && err.code === "ERR_HUB_REVISION_NOT_FOUND")) throw err;
    if (PR_REF.test(revision)) {
      throw new HubError(
        "ERR_HUB_REVISION_NOT_FOUND",
        `revision "${revision}" does not exist in ${repo.id}: a pull request's ref is opened on the Hub, hubpush cannot create it; give an existing PR ref or a branch name (--revision)`,
        { status: err.status, errorCode: err.errorCode, retryable: false },
      );
    }
  }
  try {
    await hub.createBranch(repo, revision, signal);
  } catch (err) {
    if (err instanceof HubError && !err.retryable) {
      throw new HubError(
        err.code,
        `branch "${revision}" does not exist in ${repo.id} and could not be created from the default branch: ${err.message}`,
        { status: err.status, errorCode: err.errorCode, retryable: false },
      );
    }
    throw err;
  }
  return "created";
}
