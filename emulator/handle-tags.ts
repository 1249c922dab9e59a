import { loadMatchedRepo } from "./authorize.js";
import type { RequestContext } from "./emulator-state.js";
import { BRANCH_RE } from "./handle-refs.js";
import { HubError } from "./hub-error.js";
import type { RouteMatch } from "./match-route.js";
import { asObject, readJsonBody } from "./read-body.js";
import { resolveRevision } from "./resolve-revision.js";
import { sendJson } from "./send-response.js";

/**
 * `POST /api/{type}s/{id}/tag/{rev}` `{tag, message?}` tags the commit `rev` names (a branch, a PR
 * ref or a commit id); `DELETE /api/{type}s/{id}/tag/{tag}` removes a tag. Tags are lightweight
 * pointers to a commit id: they never move.
 */
export async function handleTag(ctx: RequestContext, match: RouteMatch): Promise<void> {
  const repo = loadMatchedRepo(ctx, match.repo, "write");
  const { db } = ctx.state;
  if (ctx.req.method === "DELETE") {
    const name = match.path ?? "";
    const gone = db.prepare("DELETE FROM tags WHERE repo_id = ? AND name = ?").run(repo.id, name);
    if (gone.changes === 0) throw new HubError(404, "RevisionNotFound", `Invalid rev id: ${name}`);
    sendJson(ctx, 200, {});
    return;
  }
  const body = asObject(await readJsonBody(ctx), "tag body");
  const tag = body.tag;
  if (typeof tag !== "string" || !BRANCH_RE.test(tag)) {
    throw new HubError(400, "BadRequest", `Invalid tag name ${JSON.stringify(tag)}: send {"tag": "v1.0"}.`);
  }
  if (body.message !== undefined && typeof body.message !== "string") {
    throw new HubError(400, "BadRequest", "message must be a string when sent.");
  }
  const { view } = resolveRevision(ctx.state, repo, match.rev ?? "main");
  const exists = db.prepare("SELECT 1 FROM tags WHERE repo_id = ? AND name = ?").get(repo.id, tag);
  if (exists) throw new HubError(409, "TagExists", `Tag ${tag} already exists`);
  db.prepare("INSERT INTO tags (repo_id, name, commit_id, message) VALUES (?, ?, ?, ?)").run(
    repo.id,
    tag,
    view.commitId,
    typeof body.message === "string" ? body.message : "",
  );
  sendJson(ctx, 200, {});
}
