import { requestToken } from "./authorize.js";
import type { RequestContext } from "./emulator-state.js";
import { HubError } from "./hub-error.js";
import { namespacelessRepoError } from "./namespaceless-repo.js";
import { asObject, readBody, readJsonBody } from "./read-body.js";
import { checkMetadata, invalidMetadata } from "./readme-metadata.js";
import { sendJson } from "./send-response.js";

/** `GET /api/whoami-v2`. */
export async function handleWhoami(ctx: RequestContext): Promise<void> {
  const token = requestToken(ctx);
  if (token === null) {
    throw new HubError(401, "Unauthorized", "whoami needs a token: send Authorization: Bearer hf_….");
  }
  sendJson(ctx, 200, {
    type: "user",
    id: token.user,
    name: token.user,
    fullname: token.user,
    email: null,
    emailVerified: false,
    canPay: false,
    isPro: false,
    periodEnd: null,
    avatarUrl: "",
    orgs: [],
    auth: { type: "access_token", accessToken: { displayName: "emulator", role: token.role } },
  });
}

/** `POST /api/validate-yaml` `{content, repoType?}`: the README metadata rules of commits. */
export async function handleValidateYaml(ctx: RequestContext): Promise<void> {
  requestToken(ctx);
  const body = asObject(await readJsonBody(ctx), "validate-yaml body");
  if (typeof body.content !== "string")
    throw new HubError(400, "BadRequest", 'Body must be {"content": "<README.md text>"}.');
  const check = checkMetadata(body.content);
  if (check.errors.length > 0) throw invalidMetadata(check.errors);
  sendJson(ctx, 200, { errors: [], warnings: check.warnings.map((message) => ({ message })) });
}

/** Fallback for paths no route matches. */
export async function handleUnknown(ctx: RequestContext): Promise<void> {
  await readBody(ctx, ctx.state.config.jsonBodyMaxBytes).catch(() => Buffer.alloc(0));
  const repoMissing = namespacelessRepoError(ctx);
  if (repoMissing) throw repoMissing;
  throw new HubError(404, "NotFound", `No emulator route for ${ctx.req.method} ${ctx.url.pathname}.`);
}
