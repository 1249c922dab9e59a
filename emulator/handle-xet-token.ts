import { loadMatchedRepo } from "./authorize.js";
import type { RequestContext } from "./emulator-state.js";
import { HubError } from "./hub-error.js";
import type { RouteMatch } from "./match-route.js";
import type { RepoRow } from "./metadata-db.js";
import { revisionNotFound } from "./resolve-revision.js";
import { sendJson } from "./send-response.js";
import { casUrl, type XetCas } from "./xet-cas.js";

/** The emulator's CAS (it always has one; a repo's Xet switch decides who gets tokens). */
export function requireXet(ctx: RequestContext): XetCas {
  const xet = ctx.state.xet;
  if (!xet) throw new HubError(404, "XetNotEnabled", "This emulator has no Xet CAS.");
  return xet;
}

/** Whether `repo` is Xet-enabled (the admin switch, else the `--no-xet` default). */
export function xetEnabledFor(ctx: RequestContext, repo: RepoRow): boolean {
  return ctx.state.xet?.enabledFor(repo.id) === true;
}

function repoKey(repo: RepoRow): string {
  return `${repo.type}/${repo.namespace}/${repo.name}`;
}

/** Mints a token for a repo/ref and returns the §1.2 body plus the legacy headers. */
export function mintXetToken(
  ctx: RequestContext,
  xet: XetCas,
  repo: RepoRow,
  ref: string,
  scope: "read" | "write",
): { body: { accessToken: string; exp: number; casUrl: string }; headers: Record<string, string> } {
  const { token, exp } = xet.tokens.mint({ scope, repo: repoKey(repo), ref });
  const url = casUrl(ctx.baseUrl);
  return {
    body: { accessToken: token, exp, casUrl: url },
    headers: { "X-Xet-Cas-Url": url, "X-Xet-Access-Token": token, "X-Xet-Token-Expiration": String(exp) },
  };
}

/** `GET /api/{type}s/{ns}/{name}/xet-{read|write}-token/{rev}` (§1.2): body and headers both. */
export async function handleXetToken(ctx: RequestContext, match: RouteMatch): Promise<void> {
  const xet = requireXet(ctx);
  const scope = match.path === "write" ? "write" : "read";
  const rev = match.rev ?? "main";
  const createPr = ctx.url.searchParams.get("create_pr") === "1";
  const prRef = createPr || rev.startsWith("refs/pr/");
  const repo = loadMatchedRepo(ctx, match.repo, scope === "read" ? "read" : prRef ? "pr" : "write");
  if (!xet.enabledFor(repo.id)) {
    throw new HubError(
      404,
      "XetNotEnabled",
      `Xet storage is not enabled for ${repo.namespace}/${repo.name} (a legacy repo: --no-xet or its admin switch); use LFS.`,
    );
  }
  // [PY] sends the literal "None" when creating a PR; any ref is acceptable then.
  if (!createPr && !ctx.state.repos.getRef(repo.id, rev)) throw revisionNotFound(rev);
  const { body, headers } = mintXetToken(ctx, xet, repo, createPr ? "refs/pr/*" : rev, scope);
  sendJson(ctx, 200, body, headers);
}

/** The URL a client GETs (with its HF token) to refresh a write token for `ref`. */
export function writeTokenUrl(ctx: RequestContext, repo: RepoRow, ref: string): string {
  return `${ctx.baseUrl}/api/${repo.type}s/${repo.namespace}/${repo.name}/xet-write-token/${encodeURIComponent(ref)}`;
}
