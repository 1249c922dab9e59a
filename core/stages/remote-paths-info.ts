import type { PathInfo } from "../hub/hub-client.js";
import type { CommitStageDeps } from "../stage-deps.js";

/** Paths per paths-info call (the Hub takes up to 1000). */
const PATHS_PER_CALL = 500;

/** What the Hub holds at these repo paths (absent paths are missing from the map), in few calls. */
export async function remotePathsInfo(
  ctx: CommitStageDeps,
  repoPaths: readonly string[],
  revision: string = ctx.writeRevision(),
): Promise<Map<string, PathInfo>> {
  const remote = new Map<string, PathInfo>();
  for (let i = 0; i < repoPaths.length; i += PATHS_PER_CALL) {
    const paths = repoPaths.slice(i, i + PATHS_PER_CALL);
    const infos = await ctx.api(() => ctx.hub.pathsInfo(ctx.repo, revision, paths, ctx.signal));
    for (const info of infos) remote.set(info.path, info);
  }
  return remote;
}
