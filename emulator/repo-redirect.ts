import type { RequestContext } from "./emulator-state.js";
import { HubError } from "./hub-error.js";
import type { RepoRow, RepoType } from "./metadata-db.js";

/**
 * After a move (`POST /api/repos/move`), the Hub answers every URL of the old name with a redirect to
 * the same URL under the new name. Returns that 307 as a HubError, or undefined when the old name was
 * never moved (or its repo has since been deleted).
 */
export function movedRepoRedirect(
  ctx: RequestContext,
  type: RepoType,
  namespace: string,
  name: string,
): HubError | undefined {
  const target = ctx.state.db
    .prepare<[string, string, string], RepoRow>(
      `SELECT repos.* FROM redirects JOIN repos ON repos.id = redirects.repo_id
       WHERE redirects.type = ? AND redirects.namespace = ? COLLATE NOCASE AND redirects.name = ? COLLATE NOCASE`,
    )
    .get(type, namespace, name);
  if (!target) return undefined;
  const raw = ctx.url.pathname;
  const from = new RegExp(
    `/${escapeRe(encodeURIComponent(namespace))}/${escapeRe(encodeURIComponent(name))}(?=/|\\.git/|$)`,
    "i",
  );
  const to = `/${encodeURIComponent(target.namespace)}/${encodeURIComponent(target.name)}`;
  const location = `${ctx.baseUrl}${raw.replace(from, to)}${ctx.url.search}`;
  return new HubError(
    307,
    "RepoMoved",
    `Repository moved: ${namespace}/${name} is now ${target.namespace}/${target.name}.`,
    { headers: { location } },
  );
}

function escapeRe(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
