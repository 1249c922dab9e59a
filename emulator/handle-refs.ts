import { loadMatchedRepo } from "./authorize.js";
import type { RequestContext } from "./emulator-state.js";
import { HubError } from "./hub-error.js";
import type { RouteMatch } from "./match-route.js";
import { asObject, readJsonBody } from "./read-body.js";
import { resolveRevision } from "./resolve-revision.js";
import { sendJson } from "./send-response.js";

/** `GET /api/{type}s/{id}/refs[?include_prs=1]`. */
export async function handleRefs(ctx: RequestContext, match: RouteMatch): Promise<void> {
  const repo = loadMatchedRepo(ctx, match.repo, "read");
  const refs = ctx.state.repos.listRefs(repo.id);
  const includePrs = ["1", "true"].includes(ctx.url.searchParams.get("include_prs") ?? "");
  const toJson = (r: (typeof refs)[number]) => ({
    name: r.name,
    ref: r.kind === "branch" ? `refs/heads/${r.name}` : r.name,
    targetCommit: r.head_commit,
  });
  sendJson(ctx, 200, {
    branches: refs.filter((r) => r.kind === "branch").map(toJson),
    converts: [],
    tags: ctx.state.db
      .prepare<[number], { name: string; commit_id: string }>(
        "SELECT name, commit_id FROM tags WHERE repo_id = ? ORDER BY name",
      )
      .all(repo.id)
      .map((tag) => ({ name: tag.name, ref: `refs/tags/${tag.name}`, targetCommit: tag.commit_id })),
    ...(includePrs ? { pullRequests: refs.filter((r) => r.kind === "pr").map(toJson) } : {}),
  });
}

/** Valid branch and tag names (no `refs/` prefix, no `..`, `//`, leading or trailing `/`). */
export const BRANCH_RE = /^(?!refs\/)(?!.*\.\.)(?!.*\/\/)(?!\/)(?!.*\/$)[\w\-./]{1,200}$/;

/**
 * `POST /api/{type}s/{id}/branch/{branch}` `{startingPoint?}` (a branch, tag, PR ref or commit id);
 * `DELETE` removes a branch. A branch may share its name with a tag, as on the Hub.
 */
export async function handleBranch(ctx: RequestContext, match: RouteMatch): Promise<void> {
  const repo = loadMatchedRepo(ctx, match.repo, "write");
  const branch = match.path ?? "";
  const body = ctx.req.method === "POST" ? asObject(await readJsonBody(ctx), "branch body") : {};
  const { repos, tree } = ctx.state;
  const existing = repos.getRef(repo.id, branch);
  if (ctx.req.method === "DELETE") {
    if (existing?.kind !== "branch") throw new HubError(404, "RevisionNotFound", `Invalid rev id: ${branch}`);
    // The default branch is always main in the emulator.
    if (branch === "main") throw new HubError(403, "Forbidden", "Cannot delete refs/heads/main");
    ctx.state.db.prepare("DELETE FROM refs WHERE repo_id = ? AND name = ?").run(repo.id, branch);
    sendJson(ctx, 200, {});
    return;
  }
  if (!BRANCH_RE.test(branch)) throw new HubError(400, "BadRequest", `Invalid branch name "${branch}".`);
  if (existing) throw new HubError(409, "BranchExists", `Reference refs/heads/${branch} already exists`);
  const start =
    typeof body.startingPoint === "string" && body.startingPoint !== "" ? body.startingPoint : "main";
  const { view } = resolveRevision(ctx.state, repo, start);
  repos.transaction(() => {
    const line = repos.newLine(repo.id);
    tree.copyLine(view, line);
    repos.insertRef(repo.id, branch, "branch", line, view);
  });
  sendJson(ctx, 200, {});
}
