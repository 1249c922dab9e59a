import { loadMatchedRepo } from "./authorize.js";
import type { RequestContext } from "./emulator-state.js";
import { EntryJson } from "./entry-json.js";
import { HubError } from "./hub-error.js";
import type { RouteMatch } from "./match-route.js";
import type { TreeView } from "./repo-store.js";
import { resolveRevision } from "./resolve-revision.js";
import { sendJson } from "./send-response.js";
import type { TreeIndex } from "./tree-index.js";

/** Where the next page starts: after path `a` (exclusive) or from path `f` (inclusive). */
interface Cursor {
  readonly a?: string;
  readonly f?: string;
}

const TOP = "\u{10ffff}\u{10ffff}";
const BATCH = 500;

function decodeCursor(raw: string | null): Cursor {
  if (raw === null || raw === "") return {};
  try {
    const c = JSON.parse(Buffer.from(raw, "base64url").toString("utf8")) as Cursor;
    if (typeof c === "object" && c !== null && (typeof c.a === "string" || typeof c.f === "string")) return c;
  } catch {
    // fall through
  }
  throw new HubError(400, "BadRequest", "Invalid tree cursor.");
}

function truthy(v: string | null): boolean {
  return v === "true" || v === "1" || v === "True";
}

interface Page {
  readonly items: Record<string, unknown>[];
  readonly next: Cursor | undefined;
}

/** Direct children: files, and one entry per subfolder, whose subtree is skipped (`dir0` > `dir/…`). */
function listChildren(
  tree: TreeIndex,
  view: TreeView,
  json: EntryJson,
  prefix: string,
  upper: string,
  limit: number,
  start: Cursor,
): Page {
  const items: Record<string, unknown>[] = [];
  let lower = start.f ?? start.a ?? prefix;
  let inclusive = start.f !== undefined;
  while (items.length < limit) {
    const rows = tree.range(view, lower, upper, BATCH, inclusive);
    if (rows.length === 0) return { items, next: undefined };
    for (const row of rows) {
      const rel = row.path.slice(prefix.length);
      const slash = rel.indexOf("/");
      if (slash === -1) {
        items.push(json.file(row));
        lower = row.path;
        inclusive = false;
      } else {
        const dir = prefix + rel.slice(0, slash);
        items.push(json.directory(dir));
        lower = `${dir}0`;
        inclusive = true;
        break;
      }
      if (items.length >= limit) break;
    }
  }
  const more = tree.range(view, lower, upper, 1, inclusive).length > 0;
  return { items, next: more ? (inclusive ? { f: lower } : { a: lower }) : undefined };
}

/** Everything below: files in path order, each folder emitted just before its first file. */
function listRecursive(
  tree: TreeIndex,
  view: TreeView,
  json: EntryJson,
  prefix: string,
  upper: string,
  limit: number,
  start: Cursor,
): Page {
  const items: Record<string, unknown>[] = [];
  let prev = start.a ?? "";
  let lower = start.a ?? prefix;
  while (items.length < limit) {
    const rows = tree.range(view, lower, upper, BATCH);
    if (rows.length === 0) return { items, next: undefined };
    for (const row of rows) {
      const parts = row.path.slice(prefix.length).split("/");
      for (let i = 1; i < parts.length; i++) {
        const dir = prefix + parts.slice(0, i).join("/");
        if (!prev.startsWith(`${dir}/`)) items.push(json.directory(dir));
      }
      items.push(json.file(row));
      prev = row.path;
      lower = row.path;
      if (items.length >= limit) break;
    }
  }
  const more = tree.range(view, lower, upper, 1).length > 0;
  return { items, next: more ? { a: lower } : undefined };
}

/** `GET /api/{type}s/{id}/tree/{rev}[/{path}]?recursive=&expand=&cursor=`, Link-paginated. */
export async function handleTree(ctx: RequestContext, match: RouteMatch): Promise<void> {
  const repo = loadMatchedRepo(ctx, match.repo, "read");
  const { view } = resolveRevision(ctx.state, repo, match.rev ?? "main");
  const path = (match.path ?? "").replace(/^\/+|\/+$/g, "");
  const { tree, config } = ctx.state;
  if (path !== "" && !tree.isDirectory(view, path)) {
    throw new HubError(
      404,
      "EntryNotFound",
      `Folder ${path} does not exist at revision ${match.rev ?? "main"}.`,
    );
  }
  const q = ctx.url.searchParams;
  const expand = truthy(q.get("expand"));
  const limit = config.pageSize ?? (expand ? 50 : 1000);
  const prefix = path === "" ? "" : `${path}/`;
  const upper = path === "" ? TOP : `${path}0`;
  const json = new EntryJson(ctx.state, repo, view, expand);
  const start = decodeCursor(q.get("cursor"));
  const page = truthy(q.get("recursive"))
    ? listRecursive(tree, view, json, prefix, upper, limit, start)
    : listChildren(tree, view, json, prefix, upper, limit, start);
  const headers: Record<string, string> = {};
  if (page.next) {
    const next = new URLSearchParams(q);
    next.set("cursor", Buffer.from(JSON.stringify(page.next)).toString("base64url"));
    headers.Link = `<${ctx.baseUrl}${ctx.url.pathname}?${next.toString()}>; rel="next"`;
  }
  sendJson(ctx, 200, page.items, headers);
}
