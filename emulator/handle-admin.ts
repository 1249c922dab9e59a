import type { RequestContext } from "./emulator-state.js";
import { HubError } from "./hub-error.js";
import { asObject, readJsonBody } from "./read-body.js";
import { sendJson } from "./send-response.js";

/** `GET|PUT /admin/faults`: read or replace the fault rules (needs the admin bearer token). */
export async function handleAdmin(ctx: RequestContext): Promise<void> {
  const { adminToken } = ctx.state.config;
  if (adminToken === undefined)
    throw new HubError(404, "NotFound", "Admin routes are disabled (no admin token).");
  const header = ctx.req.headers.authorization;
  if (header === undefined || header.trim() === "") {
    throw new HubError(401, "Unauthorized", "Admin routes need Authorization: Bearer <admin token>.");
  }
  if (header !== `Bearer ${adminToken}`) throw new HubError(403, "Forbidden", "Wrong admin token.");
  const { faults } = ctx.state;
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
