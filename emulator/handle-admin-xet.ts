import type { RequestContext } from "./emulator-state.js";
import { repoType, splitId } from "./handle-repo-move.js";
import { requireXet } from "./handle-xet-token.js";
import { HubError } from "./hub-error.js";
import { asObject, readJsonBody } from "./read-body.js";
import { sendJson } from "./send-response.js";

/**
 * `GET /admin/xet?repo=ns/name[&type=model]` and `PUT /admin/xet` `{"repo", "type"?, "enabled":
 * true|false|null}`: a repo's Xet switch, to model a legacy (non-Xet) repo on an emulator whose repos
 * are Xet-enabled by default, or a Xet repo under `--no-xet`; `null` returns it to the default.
 * Answers `{"repo","type","enabled","override"}` (`enabled` is the effective state). The caller
 * (handle-admin.ts) has checked the admin token.
 */
export async function adminXet(ctx: RequestContext): Promise<void> {
  const xet = requireXet(ctx);
  let body: Record<string, unknown>;
  if (ctx.req.method === "GET") {
    body = { repo: ctx.url.searchParams.get("repo"), type: ctx.url.searchParams.get("type") ?? undefined };
  } else if (ctx.req.method === "PUT") {
    body = asObject(await readJsonBody(ctx), "admin xet body");
    if (body.enabled !== true && body.enabled !== false && body.enabled !== null) {
      throw new HubError(
        400,
        "BadRequest",
        'Body must be {"repo": "ns/name", "type"?, "enabled": true|false|null}.',
      );
    }
  } else throw new HubError(405, "MethodNotAllowed", "Use GET or PUT on /admin/xet.");
  const type = repoType(body.type);
  const [namespace, name] = splitId(body.repo, "repo");
  const repo = ctx.state.repos.findRepo(type, namespace, name);
  if (!repo) throw new HubError(404, "RepoNotFound", `Repository not found: ${namespace}/${name}.`);
  if (ctx.req.method === "PUT") xet.store.setRepoSwitch(repo.id, body.enabled as boolean | null);
  sendJson(ctx, 200, {
    repo: `${namespace}/${name}`,
    type,
    enabled: xet.enabledFor(repo.id),
    override: xet.store.repoSwitch(repo.id) ?? null,
  });
}
