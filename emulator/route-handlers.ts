import type { RequestContext } from "./emulator-state.js";
import type { RouteName } from "./fault-rules.js";
import { handleAdmin } from "./handle-admin.js";
import { handleCommit } from "./handle-commit.js";
import { handleCommits } from "./handle-commits.js";
import { handleCreateRepo } from "./handle-create-repo.js";
import { handleDiscussions } from "./handle-discussions.js";
import { handleLfsBatch } from "./handle-lfs-batch.js";
import { handleLfsComplete, handleLfsPart, handleLfsPut, handleLfsVerify } from "./handle-lfs-transfer.js";
import { handleUnknown, handleValidateYaml, handleWhoami } from "./handle-misc.js";
import { handlePathsInfo } from "./handle-paths-info.js";
import { handlePreupload } from "./handle-preupload.js";
import { handleBranch, handleRefs } from "./handle-refs.js";
import { handleRepoInfo } from "./handle-repo-info.js";
import { handleRepoDelete, handleRepoMove } from "./handle-repo-move.js";
import { handleResolve } from "./handle-resolve.js";
import { handleTag } from "./handle-tags.js";
import { handleTree } from "./handle-tree.js";
import { handleXetCas } from "./handle-xet-cas.js";
import { handleXetToken } from "./handle-xet-token.js";
import type { RouteMatch } from "./match-route.js";

export type RouteHandler = (ctx: RequestContext, match: RouteMatch) => Promise<void>;

/** One handler per route name (the names fault rules and the access log use). */
export const ROUTE_HANDLERS: Readonly<Record<RouteName, RouteHandler>> = {
  "create-repo": handleCreateRepo,
  "repo-info": handleRepoInfo,
  whoami: handleWhoami,
  "validate-yaml": handleValidateYaml,
  preupload: handlePreupload,
  "lfs-batch": handleLfsBatch,
  "lfs-put": handleLfsPut,
  "lfs-part": handleLfsPart,
  "lfs-complete": handleLfsComplete,
  "lfs-verify": handleLfsVerify,
  commit: handleCommit,
  "paths-info": handlePathsInfo,
  tree: handleTree,
  commits: handleCommits,
  refs: handleRefs,
  branch: handleBranch,
  tag: handleTag,
  "repo-delete": handleRepoDelete,
  "repo-move": handleRepoMove,
  discussions: handleDiscussions,
  resolve: handleResolve,
  admin: handleAdmin,
  "xet-token": handleXetToken,
  "xet-xorb": handleXetCas,
  "xet-shard": handleXetCas,
  "xet-dedup": handleXetCas,
  "xet-reconstruction": handleXetCas,
  "xet-fetch": handleXetCas,
  "xet-misc": handleXetCas,
  unknown: handleUnknown,
};
