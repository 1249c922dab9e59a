import { loadMatchedRepo } from "./authorize.js";
import type { RequestContext } from "./emulator-state.js";
import { lfsPointerSize } from "./git-objects.js";
import type { RouteMatch } from "./match-route.js";
import { resolveRevision } from "./resolve-revision.js";
import { sendJson } from "./send-response.js";

/** `GET /api/{type}s/{ns}/{name}[/revision/{rev}][?blobs=true]`. */
export async function handleRepoInfo(ctx: RequestContext, match: RouteMatch): Promise<void> {
  const repo = loadMatchedRepo(ctx, match.repo, "read");
  const { view } = resolveRevision(ctx.state, repo, match.rev ?? "main");
  const blobs = ctx.url.searchParams.get("blobs") === "true" || ctx.url.searchParams.get("blobs") === "1";
  const head = ctx.state.repos.getCommit(repo.id, view.commitId);
  const siblings = ctx.state.tree.all(view).map((e) => {
    if (!blobs) return { rfilename: e.path };
    if (e.kind === "regular") return { rfilename: e.path, size: e.size, blobId: e.blob_oid };
    const pointerSize = lfsPointerSize(e.size);
    return {
      rfilename: e.path,
      size: e.size,
      blobId: e.blob_oid,
      lfs: { size: e.size, sha256: e.sha256, pointerSize },
    };
  });
  const id = `${repo.namespace}/${repo.name}`;
  sendJson(ctx, 200, {
    _id: repo.mongo_id,
    id,
    ...(repo.type === "model" ? { modelId: id } : {}),
    ...(repo.type === "space" ? { sdk: "static" } : {}),
    author: repo.namespace,
    sha: view.commitId,
    lastModified: new Date(head?.created_at ?? repo.created_at).toISOString(),
    createdAt: new Date(repo.created_at).toISOString(),
    private: repo.private === 1,
    disabled: false,
    gated: false,
    xetEnabled: ctx.state.xet?.enabledFor(repo.id) === true,
    downloads: 0,
    likes: 0,
    tags: [],
    siblings,
  });
}
