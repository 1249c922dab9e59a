import { createReadStream } from "node:fs";
import { pipeline } from "node:stream/promises";
import { loadMatchedRepo } from "./authorize.js";
import type { RequestContext } from "./emulator-state.js";
import { HubError } from "./hub-error.js";
import type { RouteMatch } from "./match-route.js";
import { resolveRevision } from "./resolve-revision.js";
import { xetResolve } from "./xet-resolve.js";

/** Parses a single `bytes=` range; undefined when absent, null when unsatisfiable. */
function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | null | undefined {
  if (header === undefined) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === "" && m[2] === "")) return null;
  if (m[1] === "") {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return null;
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) return null;
  return { start, end };
}

/** `GET|HEAD /{prefix}{ns}/{name}/resolve/{rev}/{path}`: the file bytes, with Range support. */
export async function handleResolve(ctx: RequestContext, match: RouteMatch): Promise<void> {
  const repo = loadMatchedRepo(ctx, match.repo, "read");
  const { view } = resolveRevision(ctx.state, repo, match.rev ?? "main");
  const path = match.path ?? "";
  const entry = path === "" ? undefined : ctx.state.tree.get(view, path);
  if (!entry)
    throw new HubError(404, "EntryNotFound", `Entry not found: ${path} at revision ${match.rev ?? "main"}.`);
  ctx.oid = entry.kind === "lfs" ? entry.sha256 : null;
  const headers: Record<string, string> = {
    "X-Repo-Commit": view.commitId,
    "Accept-Ranges": "bytes",
    "Content-Type": "application/octet-stream",
    ETag: entry.kind === "lfs" ? `"${entry.sha256}"` : `"${entry.blob_oid}"`,
  };
  if (entry.kind === "lfs") {
    headers["X-Linked-Etag"] = `"${entry.sha256}"`;
    headers["X-Linked-Size"] = String(entry.size);
  }
  if (xetResolve(ctx, repo, match.rev ?? "main", entry, headers)) return;
  // A range of an empty file cannot be satisfied; like many servers (RFC 9110 lets a server ignore
  // Range) answer the whole, empty, body, so clients that probe with bytes=0-0 can download it.
  const range = entry.size === 0 ? undefined : parseRange(ctx.req.headers.range, entry.size);
  if (range === null) {
    throw new HubError(
      416,
      "RangeNotSatisfiable",
      `Requested range not satisfiable for ${path} (${entry.size} bytes).`,
      {
        headers: { "Content-Range": `bytes */${entry.size}` },
      },
    );
  }
  const start = range?.start ?? 0;
  const end = range?.end ?? entry.size - 1;
  if (range) headers["Content-Range"] = `bytes ${start}-${end}/${entry.size}`;
  // Clients read the total size from Content-Range even for an empty file's 200 answer.
  else if (entry.size === 0 && ctx.req.headers.range !== undefined) headers["Content-Range"] = "bytes */0";
  headers["Content-Length"] = String(Math.max(0, end - start + 1));
  ctx.res.writeHead(range ? 206 : 200, headers);
  if (ctx.req.method === "HEAD" || end < start) {
    ctx.res.end();
    return;
  }
  const small = entry.kind === "regular" ? ctx.state.objects.smallBlob(entry.sha256) : undefined;
  if (small) {
    ctx.res.end(small.subarray(start, end + 1));
    return;
  }
  const file = ctx.state.objects.objectPath(entry.sha256);
  await pipeline(createReadStream(file, { start, end, highWaterMark: 1024 * 1024 }), ctx.res);
}
