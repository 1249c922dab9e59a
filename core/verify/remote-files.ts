import type { HubClient, HubRepo, PathInfo } from "../hub/hub-client.js";
import type { CompareTarget } from "./compare-target.js";

/**
 * The remote files a target covers, by path in the repo: the recursive tree listing under the
 * prefix (paginated, with LFS metadata) kept by the target's filters, or paths-info for one file.
 */
export async function remoteFiles(
  hub: HubClient,
  repo: HubRepo,
  revision: string,
  target: CompareTarget,
  signal?: AbortSignal,
): Promise<Map<string, PathInfo>> {
  const out = new Map<string, PathInfo>();
  if (target.single !== null) {
    for (const info of await hub.pathsInfo(repo, revision, [target.pathInRepo], signal)) {
      if (info.type === "file" && target.covers(info.path)) out.set(info.path, info);
    }
    return out;
  }
  const listing = hub.listTree(repo, revision, {
    path: target.pathInRepo,
    recursive: true,
    ...(signal === undefined ? {} : { signal }),
  });
  for await (const page of listing) {
    for (const info of page) {
      if (info.type === "file" && target.covers(info.path)) out.set(info.path, info);
    }
  }
  return out;
}
