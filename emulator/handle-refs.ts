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
    tags: [],
    ...(includePrs ? { pullRequests: refs.filter((r) => r.kind === "pr").map(toJson) } : {}),
  });
}

const BRANCH_RE = /^(?!refs\/)(?!.*\.\.)(?!.*\/\/)(?!\/)(?!.*\/$)[\w\-./]{1,200}$/;

/** `POST /api/{type}s/{id}/branch/{branch}` `{startingPoint?}`; `DELETE` removes a branch. */
export async function handleBranch(ctx: RequestContext, match: RouteMatch): Promise<void> {
  const repo = loadMatchedRepo(ctx, match.repo, "write");
  const branch = match.path ?? "";
  const body = ctx.req.method === "POST" ? asObject(await readJsonBody(ctx), "branch body") : {};
  const { repos, tree } = ctx.state;
  const existing = repos.getRef(repo.id, branch);
  if (ctx.req.method === "DELETE") {
    if (existing?.kind !== "branch") throw new HubError(404, "RevisionNotFound", `Invalid rev id: ${branch}`);
    if (branch === "main") throw new HubError(403, "Forbidden", "The main branch cannot be deleted.");
    ctx.state.db.prepare("DELETE FROM refs WHERE repo_id = ? AND name = ?").run(repo.id, branch);
    sendJson(ctx, 200, {});
    return;
  }
  if (!BRANCH_RE.test(branch)) throw new HubError(400, "BadRequest", `Invalid branch name "${branch}".`);
  if (existing)
    throw new HubError(
      409,
      "BranchExists",
      `Branch ${branch} already exists in ${repo.namespace}/${repo.name}.`,
    );
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
