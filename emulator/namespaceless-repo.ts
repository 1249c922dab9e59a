import { requestToken } from "./authorize.js";
import type { RequestContext } from "./emulator-state.js";
import { HubError } from "./hub-error.js";

const API_TYPES = new Set(["models", "datasets", "spaces"]);
const ACTIONS = new Set([
  "revision",
  "tree",
  "paths-info",
  "preupload",
  "commit",
  "commits",
  "refs",
  "branch",
  "tag",
]);

/**
 * The Hub has repos without a namespace (`gpt2`); the emulator has none, so such ids are missing
 * repos. Their URLs do not match a route (one segment short), and would answer a bare 404
 * `NotFound` that no client maps to RepositoryNotFoundError. Returns the Hub's RepoNotFound
 * (401 anonymous, 404 with a token) when the unmatched path is a namespace-less repo route.
 */
export function namespacelessRepoError(ctx: RequestContext): HubError | undefined {
  const segs = ctx.url.pathname.split("/").slice(1);
  let label: string | undefined;
  if (segs[0] === "api" && API_TYPES.has(segs[1] ?? "") && segs[2]) {
    if (segs.length === 3 || ACTIONS.has(segs[3] ?? ""))
      label = `${segs[1] === "models" ? "" : `${segs[1]}/`}${segs[2]}`;
  } else {
    const prefixed = segs[0] === "datasets" || segs[0] === "spaces";
    const [id, action] = prefixed ? segs.slice(1) : segs;
    if (id && (action === "resolve" || action === "raw")) label = `${prefixed ? `${segs[0]}/` : ""}${id}`;
  }
  if (label === undefined) return undefined;
  let anonymous: boolean;
  try {
    anonymous = requestToken(ctx) === null;
  } catch (err) {
    return err instanceof HubError ? err : undefined;
  }
  return new HubError(
    anonymous ? 401 : 404,
    "RepoNotFound",
    `Repository not found: ${decodeURIComponent(label)}. Check the repo id and type, and that your token can access it.`,
  );
}
