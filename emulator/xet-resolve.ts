import type { RequestContext } from "./emulator-state.js";
import type { RepoRow } from "./metadata-db.js";
import { sendJson } from "./send-response.js";
import { casUrl } from "./xet-cas.js";

const FILEINFO = "application/vnd.xet-fileinfo+json";

/**
 * `resolve` of a file registered through Xet (xet-protocol.md §6.2 "Hub side of downloads"): adds
 * `X-Xet-Hash` and the `Link` rels `xet-auth` (read-token route) and `xet-reconstruction-info`; with
 * `Accept: application/vnd.xet-fileinfo+json` it answers the file info instead of the bytes, which
 * sends Xet-aware clients (@huggingface/hub's XetBlob) to the CAS. Returns true when it answered.
 */
export function xetResolve(
  ctx: RequestContext,
  repo: RepoRow,
  rev: string,
  entry: { readonly kind: string; readonly sha256: string; readonly size: number },
  headers: Record<string, string>,
): boolean {
  const xet = ctx.state.xet;
  if (!xet?.enabledFor(repo.id) || entry.kind !== "lfs") return false;
  const file = xet.store.fileForSha256(entry.sha256);
  if (!file || file.size !== entry.size) return false;
  const prefix = `${ctx.baseUrl}/api/${repo.type}s/${repo.namespace}/${repo.name}`;
  const refreshUrl = `${prefix}/xet-read-token/${encodeURIComponent(rev)}`;
  const reconstructionUrl = `${casUrl(ctx.baseUrl)}/v1/reconstructions/${file.hash}`;
  headers["X-Xet-Hash"] = file.hash;
  headers.Link = `<${refreshUrl}>; rel="xet-auth", <${reconstructionUrl}>; rel="xet-reconstruction-info"`;
  if (!(ctx.req.headers.accept ?? "").includes(FILEINFO)) return false;
  const { "Content-Type": _type, "Content-Length": _length, ...rest } = headers;
  sendJson(
    ctx,
    200,
    { hash: file.hash, refreshUrl, reconstructionUrl, etag: entry.sha256, size: file.size },
    { ...rest, "Content-Type": FILEINFO, "X-Linked-Size": String(file.size) },
  );
  return true;
}
