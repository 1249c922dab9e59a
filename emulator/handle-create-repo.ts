import { createHash } from "node:crypto";
import { ownsNamespace, requestToken } from "./authorize.js";
import type { EmulatorState, RequestContext } from "./emulator-state.js";
import { gitBlobSha1 } from "./git-objects.js";
import { HubError } from "./hub-error.js";
import { defaultGitattributes } from "./lfs-attributes.js";
import type { RepoRow, RepoType } from "./metadata-db.js";
import { asObject, readJsonBody } from "./read-body.js";
import { repoWebUrl } from "./repo-urls.js";
import { sendJson } from "./send-response.js";

const SPACE_SDKS = ["gradio", "streamlit", "docker", "static"];
const NAME_RULE = "Only regular characters and '-', '_', '.' accepted; '--' and '..' are forbidden";

/** hub-protocol.md §1.3: `[\w\-.]`, 1–96 chars, no leading/trailing `-`/`.`, no `--`/`..`, no `.git` end. */
export function validRepoPart(part: string): boolean {
  return (
    /^[\w\-.]{1,96}$/.test(part) &&
    !/^[-.]|[-.]$/.test(part) &&
    !part.includes("--") &&
    !part.includes("..") &&
    !part.endsWith(".git")
  );
}

/** Creates the repo row, its `main` ref and the `initial commit` by `system` (default .gitattributes). */
export function createRepoRecord(
  state: EmulatorState,
  type: RepoType,
  namespace: string,
  name: string,
  isPrivate: boolean,
): RepoRow {
  const content = Buffer.from(defaultGitattributes(type), "utf8");
  const sha256 = state.objects.putBufferSync(content);
  return state.repos.transaction(() => {
    const repo = state.repos.insertRepo(type, namespace, name, isPrivate);
    const lineId = state.repos.newLine(repo.id);
    const seq = state.repos.takeSeq(repo.id);
    const createdAt = Date.now();
    const id = createHash("sha1").update(`initial\n${repo.id}\n${repo.mongo_id}\n${createdAt}`).digest("hex");
    state.tree.put(lineId, seq, {
      path: ".gitattributes",
      kind: "regular",
      size: content.length,
      sha256,
      blobOid: gitBlobSha1(content),
    });
    state.repos.insertCommit(repo.id, {
      id,
      seq,
      lineId,
      parentId: null,
      title: "initial commit",
      message: "",
      author: "system",
      createdAt,
    });
    state.repos.insertRef(repo.id, "main", "branch", lineId, { lineId, seq, commitId: id });
    return repo;
  });
}

/** `POST /api/repos/create`. */
export async function handleCreateRepo(ctx: RequestContext): Promise<void> {
  const token = requestToken(ctx);
  const body = asObject(await readJsonBody(ctx), "create-repo body");
  if (token === null) {
    throw new HubError(
      401,
      "Unauthorized",
      "Creating a repo requires a token: send Authorization: Bearer hf_….",
    );
  }
  const typeField = body.type ?? "model";
  if (typeField !== "model" && typeField !== "dataset" && typeField !== "space") {
    throw new HubError(
      400,
      "BadRequest",
      `Invalid repo type ${JSON.stringify(typeField)}: use model, dataset or space.`,
    );
  }
  const type: RepoType = typeField;
  let name = typeof body.name === "string" ? body.name : "";
  let namespace =
    typeof body.organization === "string" && body.organization !== "" ? body.organization : token.user;
  if (name.includes("/") && body.organization == null) [namespace = "", name = ""] = name.split("/", 2);
  if (!validRepoPart(name) || !validRepoPart(namespace)) {
    throw new HubError(400, "InvalidRepoName", `Invalid repo id "${namespace}/${name}": ${NAME_RULE}.`);
  }
  if (token.role !== "write") {
    throw new HubError(403, "Forbidden", "Your token is read-only: creating a repo needs a write token.");
  }
  if (!ownsNamespace(ctx, token, namespace)) {
    throw new HubError(
      403,
      "Forbidden",
      `You don't have the rights to create a repo under the namespace "${namespace}".`,
    );
  }
  if (body.private !== undefined && body.private !== null && typeof body.private !== "boolean") {
    throw new HubError(400, "BadRequest", "private must be a boolean when sent.");
  }
  if (type === "space" && !SPACE_SDKS.includes(String(body.sdk))) {
    throw new HubError(
      400,
      "BadRequest",
      `Invalid or missing sdk for a Space: send "sdk" as one of ${SPACE_SDKS.join(", ")}.`,
    );
  }
  // Without `private` (or `visibility`), the namespace's default applies: an org may be private-by-default.
  const chosen =
    typeof body.private === "boolean"
      ? body.private
      : body.visibility === "private" || body.visibility === "public"
        ? body.visibility === "private"
        : undefined;
  const isPrivate =
    chosen ??
    [...ctx.state.config.orgs.values()].find((o) => o.name.toLowerCase() === namespace.toLowerCase())
      ?.privateByDefault ??
    false;
  const url = repoWebUrl(ctx.baseUrl, { type, namespace, name });
  ctx.repo = `${namespace}/${name}`;
  const existing = ctx.state.repos.findRepo(type, namespace, name);
  if (existing) {
    throw new HubError(409, "RepoExists", `You already created this ${type} repo: ${namespace}/${name}`, {
      body: { url },
    });
  }
  const repo = createRepoRecord(ctx.state, type, namespace, name, isPrivate);
  sendJson(ctx, 200, { url, name: `${namespace}/${name}`, id: repo.mongo_id });
}
