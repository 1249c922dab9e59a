import type { TokenInfo } from "./emulator-config.js";
import type { RequestContext } from "./emulator-state.js";
import { HubError } from "./hub-error.js";
import type { RepoRow, RepoType } from "./metadata-db.js";
import { movedRepoRedirect } from "./repo-redirect.js";

/** `read`: see the repo; `write`: push to a branch; `pr`: any valid token that can see the repo. */
export type Access = "read" | "write" | "pr";

export const INVALID_CREDENTIALS = "Invalid credentials in Authorization header";

/** The token of the request, null when none was sent; 401 for an unknown token. */
export function requestToken(ctx: RequestContext): TokenInfo | null {
  const header = ctx.req.headers.authorization;
  if (header === undefined || header.trim() === "") return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  const info = match?.[1] === undefined ? undefined : ctx.state.config.tokens.get(match[1]);
  if (!info) throw new HubError(401, "InvalidCredentials", INVALID_CREDENTIALS);
  return info;
}

/**
 * A user may act in their own namespace, in a configured org they are a member of, and in any
 * namespace that is neither another user's nor a configured org.
 */
export function ownsNamespace(ctx: RequestContext, token: TokenInfo, namespace: string): boolean {
  // Namespaces, like repo ids, are case-insensitive on the Hub.
  const lower = namespace.toLowerCase();
  if (lower === token.user.toLowerCase()) return true;
  const org = [...ctx.state.config.orgs.values()].find((o) => o.name.toLowerCase() === lower);
  if (org) return org.members === undefined || org.members.has(token.user);
  return ![...ctx.state.config.users].some((u) => u.toLowerCase() === lower);
}

export function repoLabel(type: RepoType, namespace: string, name: string): string {
  return `${type === "model" ? "" : `${type}s/`}${namespace}/${name}`;
}

function notFound(anonymous: boolean, label: string): HubError {
  // The Hub answers 401 to anonymous requests for missing and private repos alike.
  return new HubError(
    anonymous ? 401 : 404,
    "RepoNotFound",
    `Repository not found: ${label}. Check the repo id and type, and that your token can access it.`,
  );
}

/** Loads a repo and checks the request may access it as asked; throws the Hub's 401/403/404. */
export function loadRepo(
  ctx: RequestContext,
  type: RepoType,
  namespace: string,
  name: string,
  access: Access,
): RepoRow {
  const label = repoLabel(type, namespace, name);
  const token = requestToken(ctx);
  const repo = ctx.state.repos.findRepo(type, namespace, name);
  const visible =
    repo !== undefined && (repo.private === 0 || (token !== null && ownsNamespace(ctx, token, namespace)));
  if (!repo) {
    const moved = movedRepoRedirect(ctx, type, namespace, name);
    if (moved) throw moved;
  }
  if (!repo || !visible) throw notFound(token === null, label);
  if (access === "read") return repo;
  if (token === null) {
    throw new HubError(
      401,
      "RepoNotFound",
      `Authentication required to write to ${label}: send "Authorization: Bearer hf_…" with a write token.`,
    );
  }
  if (access === "pr") return repo;
  if (token.role !== "write") {
    throw new HubError(
      403,
      "Forbidden",
      `Your token is read-only: it cannot write to ${label}. Use a write token.`,
    );
  }
  if (!ownsNamespace(ctx, token, namespace)) {
    throw new HubError(403, "Forbidden", `User ${token.user} has no write access to ${label}.`);
  }
  return repo;
}

/** `loadRepo` for a route match that carries a repo. */
export function loadMatchedRepo(
  ctx: RequestContext,
  repo: { type: RepoType; namespace: string; name: string } | undefined,
  access: Access,
): RepoRow {
  if (!repo) throw new Error("route without a repo");
  return loadRepo(ctx, repo.type, repo.namespace, repo.name, access);
}
