import { loadMatchedRepo } from "./authorize.js";
import type { RequestContext } from "./emulator-state.js";
import { EntryJson } from "./entry-json.js";
import { HubError } from "./hub-error.js";
import type { RouteMatch } from "./match-route.js";
import { readBody } from "./read-body.js";
import { resolveRevision } from "./resolve-revision.js";
import { sendJson } from "./send-response.js";

export const PATHS_INFO_MAX_PATHS = 1000;

function truthy(value: unknown): boolean {
  return value === true || value === "true" || value === "1" || value === "True";
}

/** Accepts the JSON body (`{"paths": [...], "expand"}`) and the form body (`paths=a&paths=b&expand=false`). */
async function readPaths(ctx: RequestContext): Promise<{ paths: unknown[]; expand: boolean }> {
  const body = (await readBody(ctx, ctx.state.config.jsonBodyMaxBytes)).toString("utf8");
  const type = ctx.req.headers["content-type"] ?? "";
  if (type.startsWith("application/x-www-form-urlencoded")) {
    const form = new URLSearchParams(body);
    return { paths: form.getAll("paths"), expand: truthy(form.get("expand")) };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body === "" ? "{}" : body);
  } catch {
    throw new HubError(400, "BadRequest", "paths-info body must be JSON or form-encoded.");
  }
  const obj = typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : {};
  if (!Array.isArray(obj.paths))
    throw new HubError(400, "BadRequest", 'paths-info needs "paths": an array of strings.');
  return { paths: obj.paths, expand: truthy(obj.expand) };
}

/** `POST /api/{type}s/{id}/paths-info/{rev}`: one entry per existing path; missing ones omitted. */
export async function handlePathsInfo(ctx: RequestContext, match: RouteMatch): Promise<void> {
  const repo = loadMatchedRepo(ctx, match.repo, "read");
  const { paths, expand } = await readPaths(ctx);
  if (paths.length > PATHS_INFO_MAX_PATHS) {
    throw new HubError(
      413,
      "TooManyPaths",
      `Payload Too Large: too many parameters (${paths.length} paths; at most ${PATHS_INFO_MAX_PATHS}).`,
    );
  }
  const { view } = resolveRevision(ctx.state, repo, match.rev ?? "main");
  const json = new EntryJson(ctx.state, repo, view, expand);
  const out: Record<string, unknown>[] = [];
  for (const raw of paths) {
    if (typeof raw !== "string" || raw === "") continue;
    const path = raw.replace(/^\/+|\/+$/g, "");
    const entry = ctx.state.tree.get(view, path);
    if (entry) out.push(json.file(entry));
    else if (path !== "" && ctx.state.tree.isDirectory(view, path)) out.push(json.directory(path));
  }
  sendJson(ctx, 200, out);
}
