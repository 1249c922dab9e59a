import { loadMatchedRepo } from "./authorize.js";
import type { RequestContext } from "./emulator-state.js";
import { HubError } from "./hub-error.js";
import type { RouteMatch } from "./match-route.js";
import { resolveRevision } from "./resolve-revision.js";
import { sendJson } from "./send-response.js";

/** `GET /api/{type}s/{id}/commits/{rev}[?p=N&limit=M]`: newest first, Link-paginated. */
export async function handleCommits(ctx: RequestContext, match: RouteMatch): Promise<void> {
  const repo = loadMatchedRepo(ctx, match.repo, "read");
  const { view } = resolveRevision(ctx.state, repo, match.rev ?? "main");
  const q = ctx.url.searchParams;
  const page = Number(q.get("p") ?? "0");
  const limit = Number(q.get("limit") ?? "50");
  if (!Number.isSafeInteger(page) || page < 0 || !Number.isSafeInteger(limit) || limit < 1) {
    throw new HubError(400, "BadRequest", "p must be an integer >= 0 and limit an integer >= 1.");
  }
  const size = ctx.state.config.pageSize ?? Math.min(limit, 1000);
  const { repos } = ctx.state;
  const total = repos.historyLength(repo.id, view.commitId);
  const items = repos.history(repo.id, view.commitId, page * size, size).map((c) => ({
    id: c.id,
    title: c.title,
    message: c.message,
    authors: [{ user: c.author, avatar: "" }],
    date: new Date(c.created_at).toISOString(),
  }));
  const headers: Record<string, string> = { "X-Total-Count": String(total) };
  if ((page + 1) * size < total) {
    const next = new URLSearchParams(q);
    next.set("p", String(page + 1));
    headers.Link = `<${ctx.baseUrl}${ctx.url.pathname}?${next.toString()}>; rel="next"`;
  }
  sendJson(ctx, 200, items, headers);
}
