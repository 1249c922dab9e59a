import type { RequestContext } from "./emulator-state.js";
import { adminXet } from "./handle-admin-xet.js";
import { adminMove } from "./handle-repo-move.js";
import { HubError } from "./hub-error.js";
import type { RouteMatch } from "./match-route.js";
import { asObject, readJsonBody } from "./read-body.js";
import { sendJson } from "./send-response.js";

/**
 * `GET|PUT /admin/faults`: read or replace the fault rules; `POST /admin/move` `{type?, from, to}`:
 * move a repo (its old name then redirects); `GET|PUT /admin/xet`: a repo's Xet switch. All need the
 * admin bearer token.
 */
export async function handleAdmin(ctx: RequestContext, match: RouteMatch): Promise<void> {
  const { adminToken } = ctx.state.config;
  if (adminToken === undefined)
    throw new HubError(404, "NotFound", "Admin routes are disabled (no admin token).");
  const header = ctx.req.headers.authorization;
  if (header === undefined || header.trim() === "") {
    throw new HubError(401, "Unauthorized", "Admin routes need Authorization: Bearer <admin token>.");
  }
  if (header !== `Bearer ${adminToken}`) throw new HubError(403, "Forbidden", "Wrong admin token.");
  const { faults } = ctx.state;
  if (match.path === "xet") {
    await adminXet(ctx);
    return;
  }
  if (match.path === "move") {
    if (ctx.req.method !== "POST") throw new HubError(405, "MethodNotAllowed", "Use POST on /admin/move.");
    await adminMove(ctx, asObject(await readJsonBody(ctx), "admin move body"));
    return;
  }
  if (ctx.req.method === "GET") {
    sendJson(ctx, 200, { spec: faults.spec, seed: faults.seed });
    return;
  }
  if (ctx.req.method !== "PUT")
    throw new HubError(405, "MethodNotAllowed", "Use GET or PUT on /admin/faults.");
  const body = asObject(await readJsonBody(ctx), "admin body");
  if (typeof body.spec !== "string")
    throw new HubError(400, "BadRequest", 'Body must be {"spec": "...", "seed"?: n}.');
  if (body.seed !== undefined && (typeof body.seed !== "number" || !Number.isInteger(body.seed))) {
    throw new HubError(400, "BadRequest", "seed must be an integer.");
  }
  try {
    faults.replace(body.spec, typeof body.seed === "number" ? body.seed : undefined);
  } catch (err) {
    throw new HubError(400, "BadRequest", err instanceof Error ? err.message : String(err));
  }
  sendJson(ctx, 200, { spec: faults.spec, seed: faults.seed });
}
