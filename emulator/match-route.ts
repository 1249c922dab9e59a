import type { RouteName } from "./fault-rules.js";
import { HubError } from "./hub-error.js";
import type { RepoType } from "./metadata-db.js";
import { matchXetRoute } from "./xet-routes.js";

export interface RepoRef {
  readonly type: RepoType;
  readonly namespace: string;
  readonly name: string;
}

export interface RouteMatch {
  readonly route: RouteName;
  readonly repo?: RepoRef;
  /** The revision, percent-decoded exactly once. */
  readonly rev?: string;
  /** A path in the repo (tree, resolve), the branch name (branch) or the tag name (DELETE tag), the discussion number. */
  readonly path?: string;
  /** lfs-put / lfs-part / lfs-complete: the object id and part number. */
  readonly oid?: string;
  readonly partNumber?: number;
}

const API_TYPES: Record<string, RepoType> = { models: "model", datasets: "dataset", spaces: "space" };
const PREFIX_TYPES: Record<string, RepoType> = { datasets: "dataset", spaces: "space" };

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HubError(400, "BadRequest", `Malformed percent-encoding in URL segment "${segment}".`);
  }
}

/**
 * Splits `segs` into a revision and the rest. A revision is one segment, decoded once; raw
 * `refs/pr/N`, `refs/tags/X` and `refs/convert/X` (sent unencoded by some clients) span several segments.
 */
function splitRev(segs: readonly string[]): { rev: string; rest: string[] } {
  const [first = "", second, third, ...more] = segs.map(decode);
  if (
    first === "refs" &&
    (second === "pr" || second === "convert" || second === "tags") &&
    third !== undefined
  ) {
    return { rev: `refs/${second}/${third}`, rest: more };
  }
  return { rev: first, rest: [second, third, ...more].filter((s): s is string => s !== undefined) };
}

function matchApiRepo(method: string, repo: RepoRef, rest: readonly string[]): RouteMatch | null {
  const [action, ...tail] = rest;
  const revOnly = () => {
    const { rev, rest: extra } = splitRev(tail);
    return extra.length === 0 && rev !== "" ? rev : null;
  };
  if (action === undefined) return method === "GET" ? { route: "repo-info", repo } : null;
  if (action === "refs" && tail.length === 0 && method === "GET") return { route: "refs", repo };
  if (action === "branch" && tail.length > 0 && (method === "POST" || method === "DELETE")) {
    return { route: "branch", repo, path: tail.map(decode).join("/") };
  }
  if (action === "tag" && tail.length > 0 && method === "POST") {
    const rev = revOnly();
    return rev === null ? null : { route: "tag", repo, rev };
  }
  if (action === "tag" && tail.length > 0 && method === "DELETE") {
    return { route: "tag", repo, path: tail.map(decode).join("/") };
  }
  if (action === "discussions" && tail.length === 0 && (method === "GET" || method === "POST")) {
    return { route: "discussions", repo };
  }
  if (action === "discussions" && tail.length === 1 && method === "GET") {
    return { route: "discussions", repo, path: decode(tail[0] ?? "") };
  }
  if (action === "tree" && tail.length > 0 && method === "GET") {
    const { rev, rest: pathSegs } = splitRev(tail);
    return { route: "tree", repo, rev, path: pathSegs.map(decode).join("/") };
  }
  const single: Record<string, [string, RouteName]> = {
    revision: ["GET", "repo-info"],
    preupload: ["POST", "preupload"],
    commit: ["POST", "commit"],
    "paths-info": ["POST", "paths-info"],
    commits: ["GET", "commits"],
  };
  const found = single[action];
  if (!found || found[0] !== method) return null;
  const rev = revOnly();
  return rev === null ? null : { route: found[1], repo, rev };
}

/** Maps a method and raw (still percent-encoded) path to a route; null when nothing matches. */
export function matchRoute(method: string, rawPath: string): RouteMatch | null {
  const segs = rawPath.split("/").slice(1);
  if (segs.length > 0 && segs[segs.length - 1] === "") segs.pop();
  const [s0, s1, s2, s3, ...rest] = segs;
  const xet = matchXetRoute(method, segs);
  if (xet) return xet;
  if (s0 === "api") {
    if (s1 === "repos" && s2 === "create" && s3 === undefined)
      return method === "POST" ? { route: "create-repo" } : null;
    if (s1 === "repos" && s2 === "delete" && s3 === undefined)
      return method === "DELETE" ? { route: "repo-delete" } : null;
    if (s1 === "repos" && s2 === "move" && s3 === undefined)
      return method === "POST" ? { route: "repo-move" } : null;
    if (s1 === "whoami-v2" && s2 === undefined) return method === "GET" ? { route: "whoami" } : null;
    if (s1 === "validate-yaml" && s2 === undefined)
      return method === "POST" ? { route: "validate-yaml" } : null;
    const type = s1 === undefined ? undefined : API_TYPES[s1];
    if (type === undefined || s2 === undefined || s3 === undefined) return null;
    return matchApiRepo(method, { type, namespace: decode(s2), name: decode(s3) }, rest);
  }
  if (s0 === "admin" && s1 === "faults" && s2 === undefined) return { route: "admin" };
  if (s0 === "admin" && s1 === "move" && s2 === undefined) return { route: "admin", path: "move" };
  if (s0 === "admin" && s1 === "xet" && s2 === undefined) return { route: "admin", path: "xet" };
  if (s0 === "_emulator" && s1 === "lfs") return matchStorage(method, segs.slice(2));
  const prefixed = s0 !== undefined && PREFIX_TYPES[s0] !== undefined;
  const type: RepoType = (s0 === undefined ? undefined : PREFIX_TYPES[s0]) ?? "model";
  const [ns, nameSeg, ...tail] = prefixed ? segs.slice(1) : segs;
  if (ns === undefined || nameSeg === undefined) return null;
  if (nameSeg.endsWith(".git")) {
    const repo = { type, namespace: decode(ns), name: decode(nameSeg.slice(0, -4)) };
    const lfs = tail.slice(0, 3).join("/") === "info/lfs/objects" && tail.length === 4 && method === "POST";
    if (lfs && tail[3] === "batch") return { route: "lfs-batch", repo };
    if (lfs && tail[3] === "verify") return { route: "lfs-verify", repo };
    return null;
  }
  // `raw` (what @huggingface/hub's fileExists HEADs) is served like `resolve` (docs/emulator.md).
  if (
    (tail[0] === "resolve" || tail[0] === "raw") &&
    tail.length >= 3 &&
    (method === "GET" || method === "HEAD")
  ) {
    const { rev, rest: pathSegs } = splitRev(tail.slice(1));
    const repo = { type, namespace: decode(ns), name: decode(nameSeg) };
    return { route: "resolve", repo, rev, path: pathSegs.map(decode).join("/") };
  }
  return null;
}

/** `/_emulator/lfs/{type}/{ns}/{name}/{oid}[/part/{n} | /complete]`: the presigned storage URLs. */
function matchStorage(method: string, segs: readonly string[]): RouteMatch | null {
  const [typeSeg, ns, name, oid, kind, n, ...more] = segs;
  const type = typeSeg === undefined ? undefined : API_TYPES[typeSeg];
  if (!type || ns === undefined || name === undefined || oid === undefined || more.length > 0) return null;
  const repo = { type, namespace: decode(ns), name: decode(name) };
  if (kind === undefined && method === "PUT") return { route: "lfs-put", repo, oid };
  if (kind === "part" && n !== undefined && /^\d+$/.test(n) && method === "PUT") {
    return { route: "lfs-part", repo, oid, partNumber: Number(n) };
  }
  if (kind === "complete" && n === undefined && method === "POST")
    return { route: "lfs-complete", repo, oid };
  return null;
}
