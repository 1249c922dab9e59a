import type { RouteName } from "./fault-rules.js";
import type { RepoType } from "./metadata-db.js";

/** Structurally a match-route.ts RouteMatch (declared here so match-route can import this file). */
export interface XetRouteMatch {
  readonly route: RouteName;
  readonly repo?: { readonly type: RepoType; readonly namespace: string; readonly name: string };
  readonly rev?: string;
  readonly path?: string;
  readonly oid?: string;
}

const API_TYPES: Record<string, RepoType> = { models: "model", datasets: "dataset", spaces: "space" };

/**
 * Xet routes (xet-protocol.md §1.2 and §6): the token route under /api, and the CAS under /_xet.
 * `path` carries the CAS sub-route (or the token scope), `oid` the hash named in the URL so the access
 * log shows which xorb, shard query or file a request touched. Hash syntax is checked by the handlers
 * (400, not 404, as the CAS answers).
 */
export function matchXetRoute(method: string, segs: readonly string[]): XetRouteMatch | null {
  const [s0, s1, s2, s3, s4, s5, ...more] = segs;
  if (s0 === "api" && s1 !== undefined && s4 !== undefined) {
    const type = API_TYPES[s1];
    const scope = /^xet-(read|write)-token$/.exec(s4)?.[1];
    if (!type || !scope || s2 === undefined || s3 === undefined || method !== "GET" || more.length > 0)
      return null;
    const repo = { type, namespace: decodeURIComponent(s2), name: decodeURIComponent(s3) };
    return { route: "xet-token", repo, rev: s5 === undefined ? "main" : decodeURIComponent(s5), path: scope };
  }
  if (s0 !== "_xet") return null;
  const rest = segs.slice(1);
  const [version, kind, a, b, ...tail] = rest;
  if (tail.length > 0) return null;
  if (version === "fetch" && a === undefined && kind !== undefined && method === "GET") {
    return { route: "xet-fetch", oid: kind, path: "fetch" };
  }
  if (version === "v1" && kind === "xorbs" && a === "default" && b !== undefined) {
    if (method === "POST" || method === "HEAD") return { route: "xet-xorb", oid: b, path: "xorbs" };
  }
  if ((version === "v1" || version === "v2") && kind === "shards" && a === undefined && method === "POST")
    return { route: "xet-shard", path: version };
  if (
    version === "v1" &&
    kind === "chunks" &&
    (a === "default" || a === "default-merkledb") &&
    b !== undefined
  ) {
    if (method === "GET") return { route: "xet-dedup", oid: b, path: "chunks" };
  }
  if (
    (version === "v1" || version === "v2") &&
    kind === "reconstructions" &&
    a !== undefined &&
    b === undefined
  ) {
    if (method === "GET") return { route: "xet-reconstruction", oid: a, path: version };
  }
  if (version === "v1" && kind === "files" && a !== undefined && b === undefined && method === "HEAD") {
    return { route: "xet-misc", oid: a, path: "files" };
  }
  if (
    version === "v2" &&
    kind === "file-chunk-hashes" &&
    a !== undefined &&
    b === undefined &&
    method === "GET"
  ) {
    return { route: "xet-misc", oid: a, path: "file-chunk-hashes" };
  }
  if (version === "v1" && kind === "telemetry" && a === undefined && method === "POST") {
    return { route: "xet-misc", path: "telemetry" };
  }
  return null;
}
