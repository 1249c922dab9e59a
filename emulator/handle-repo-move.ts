import { loadRepo, ownsNamespace, requestToken } from "./authorize.js";
import type { EmulatorState, RequestContext } from "./emulator-state.js";
import { validRepoPart } from "./handle-create-repo.js";
import { HubError } from "./hub-error.js";
import type { RepoRow, RepoType } from "./metadata-db.js";
import { asObject, readJsonBody } from "./read-body.js";
import { sendJson } from "./send-response.js";

export function repoType(raw: unknown): RepoType {
  const type = raw ?? "model";
  if (type !== "model" && type !== "dataset" && type !== "space") {
    throw new HubError(
      400,
      "BadRequest",
      `Invalid repo type ${JSON.stringify(type)}: use model, dataset or space.`,
    );
  }
  return type;
}

export function splitId(raw: unknown, field: string): [string, string] {
  const parts = typeof raw === "string" ? raw.split("/") : [];
  const [namespace = "", name = ""] = parts;
  if (parts.length !== 2 || !validRepoPart(namespace) || !validRepoPart(name)) {
    throw new HubError(
      400,
      "InvalidRepoName",
      `${field} must be a repo id "namespace/name", got ${JSON.stringify(raw)}.`,
    );
  }
  return [namespace, name];
}

/** `DELETE /api/repos/delete` `{name, organization?, type?}`: removes the repo and everything in it. */
export async function handleRepoDelete(ctx: RequestContext): Promise<void> {
  const body = asObject(await readJsonBody(ctx), "delete-repo body");
  const type = repoType(body.type);
  const token = requestToken(ctx);
  let name = typeof body.name === "string" ? body.name : "";
  let namespace =
    typeof body.organization === "string" && body.organization !== ""
      ? body.organization
      : (token?.user ?? "");
  if (name.includes("/") && body.organization == null) [namespace = "", name = ""] = name.split("/", 2);
  if (!validRepoPart(name) || !validRepoPart(namespace)) {
    throw new HubError(400, "InvalidRepoName", `Invalid repo id "${namespace}/${name}".`);
  }
  const repo = loadRepo(ctx, type, namespace, name, "write");
  ctx.repo = `${repo.namespace}/${repo.name}`;
  const { db } = ctx.state;
  ctx.state.repos.transaction(() => {
    db.prepare("DELETE FROM entries WHERE line_id IN (SELECT id FROM lines WHERE repo_id = ?)").run(repo.id);
    for (const table of ["lines", "refs", "commits", "tags", "redirects"]) {
      db.prepare(`DELETE FROM ${table} WHERE repo_id = ?`).run(repo.id);
    }
    db.prepare("DELETE FROM repos WHERE id = ?").run(repo.id);
  });
  sendJson(ctx, 200, {});
}

/**
 * `POST /api/repos/move` `{fromRepo, toRepo, type?}`: renames or transfers a repo. The old name then
 * answers 307 to the new one on every route (repo-redirect.ts), until a repo is created there.
 */
export async function handleRepoMove(ctx: RequestContext): Promise<void> {
  const body = asObject(await readJsonBody(ctx), "move-repo body");
  const type = repoType(body.type);
  const [fromNs, fromName] = splitId(body.fromRepo, "fromRepo");
  const [toNs, toName] = splitId(body.toRepo, "toRepo");
  const repo = loadRepo(ctx, type, fromNs, fromName, "write");
  const token = requestToken(ctx);
  if (token === null || !ownsNamespace(ctx, token, toNs)) {
    throw new HubError(
      403,
      "Forbidden",
      `You don't have the rights to move a repo to the namespace "${toNs}".`,
    );
  }
  ctx.repo = `${repo.namespace}/${repo.name}`;
  const clash = ctx.state.repos.findRepo(type, toNs, toName);
  if (clash && clash.id !== repo.id) {
    throw new HubError(409, "RepoExists", `You already created this ${type} repo: ${toNs}/${toName}`);
  }
  moveRepo(ctx.state, repo, toNs, toName);
  sendJson(ctx, 200, {});
}

/** Renames `repo` to `toNs/toName` and leaves a redirect at its old name (callers check access). */
export function moveRepo(state: EmulatorState, repo: RepoRow, toNs: string, toName: string): void {
  const { db } = state;
  state.repos.transaction(() => {
    db.prepare(
      "DELETE FROM redirects WHERE type = ? AND namespace = ? COLLATE NOCASE AND name = ? COLLATE NOCASE",
    ).run(repo.type, toNs, toName);
    db.prepare("UPDATE repos SET namespace = ?, name = ? WHERE id = ?").run(toNs, toName, repo.id);
    db.prepare("INSERT OR REPLACE INTO redirects (type, namespace, name, repo_id) VALUES (?, ?, ?, ?)").run(
      repo.type,
      repo.namespace,
      repo.name,
      repo.id,
    );
  });
}

/**
 * `POST /admin/move` `{type?, from, to}` (admin token): the test harness's move, with no user
 * permission checks; the same rename and redirect as `POST /api/repos/move`.
 */
export async function adminMove(ctx: RequestContext, body: Record<string, unknown>): Promise<void> {
  const type = repoType(body.type);
  const [fromNs, fromName] = splitId(body.from, "from");
  const [toNs, toName] = splitId(body.to, "to");
  const repo = ctx.state.repos.findRepo(type, fromNs, fromName);
  if (!repo) throw new HubError(404, "RepoNotFound", `Repository not found: ${fromNs}/${fromName}.`);
  const clash = ctx.state.repos.findRepo(type, toNs, toName);
  if (clash && clash.id !== repo.id) {
    throw new HubError(409, "RepoExists", `You already created this ${type} repo: ${toNs}/${toName}`);
  }
  moveRepo(ctx.state, repo, toNs, toName);
  sendJson(ctx, 200, { from: `${repo.namespace}/${repo.name}`, to: `${toNs}/${toName}` });
}
