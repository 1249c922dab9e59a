import { HubpushError } from "../../common/hubpush-error.js";
import type { HubClient, HubRepo } from "../hub/hub-client.js";
import { HubError } from "../hub/hub-error.js";

/**
 * Checks that the repo and the branch exist before anything is compared, so a typo in --repo or
 * --revision says so instead of reporting every file as "missing remotely". Returns the head commit.
 */
export async function requireRevision(
  hub: HubClient,
  repo: HubRepo,
  revision: string,
  signal?: AbortSignal,
): Promise<string | null> {
  try {
    return (await hub.repoInfo(repo, revision, signal)).sha;
  } catch (err) {
    if (err instanceof HubError && err.code === "ERR_HUB_REPO_NOT_FOUND") {
      throw new HubpushError(
        "ERR_HUB_REPO_NOT_FOUND",
        `the ${repo.type} repo ${repo.id} does not exist on ${hub.endpoint} (or the token cannot see it): check --repo and --repo-type; nothing was compared`,
        { cause: err },
      );
    }
    if (err instanceof HubError && err.code === "ERR_HUB_REVISION_NOT_FOUND") {
      throw new HubpushError(
        "ERR_HUB_REVISION_NOT_FOUND",
        `the repo ${repo.id} has no branch "${revision}": check --revision; nothing was compared`,
        { cause: err },
      );
    }
    throw err;
  }
}
