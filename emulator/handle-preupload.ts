import ignore from "ignore";
import { loadMatchedRepo } from "./authorize.js";
import type { RequestContext } from "./emulator-state.js";
import { HubError } from "./hub-error.js";
import { lfsMatcher } from "./lfs-attributes.js";
import type { RouteMatch } from "./match-route.js";
import { asObject, readJsonBody } from "./read-body.js";
import { checkMetadata, invalidMetadata } from "./readme-metadata.js";
import { readRepoText, validateRepoPath } from "./repo-paths.js";
import { resolveRevision } from "./resolve-revision.js";
import { sendJson } from "./send-response.js";

export const PREUPLOAD_MAX_FILES = 256;

/** True when the route may be used by any token that can read the repo (PR authors). */
export function isPullRequestWrite(ctx: RequestContext, rev: string): boolean {
  return ["1", "true"].includes(ctx.url.searchParams.get("create_pr") ?? "") || rev.startsWith("refs/pr/");
}

/** `POST /api/{type}s/{id}/preupload/{rev}`: upload mode, shouldIgnore and remote oid per path. */
export async function handlePreupload(ctx: RequestContext, match: RouteMatch): Promise<void> {
  const rev = match.rev ?? "main";
  const repo = loadMatchedRepo(ctx, match.repo, isPullRequestWrite(ctx, rev) ? "pr" : "write");
  const body = asObject(await readJsonBody(ctx), "preupload body");
  const { view } = resolveRevision(ctx.state, repo, rev);
  if (!Array.isArray(body.files))
    throw new HubError(400, "BadRequest", 'Body must be {"files": [{path, sample, size}]}.');
  if (body.files.length > PREUPLOAD_MAX_FILES) {
    throw new HubError(
      400,
      "TooManyFiles",
      `Too many files in one preupload call (${body.files.length}); send at most ${PREUPLOAD_MAX_FILES}.`,
    );
  }
  for (const key of ["gitIgnore", "gitAttributes"]) {
    if (body[key] !== undefined && body[key] !== null && typeof body[key] !== "string") {
      throw new HubError(400, "BadRequest", `${key} must be a string (the file's content) when sent.`);
    }
  }
  // shouldIgnore: the root .gitignore being uploaded (gitIgnore), else the repo's own at `rev`.
  const attributes =
    typeof body.gitAttributes === "string"
      ? body.gitAttributes
      : (readRepoText(ctx.state, view, ".gitattributes") ?? "");
  const gitignore =
    typeof body.gitIgnore === "string" ? body.gitIgnore : readRepoText(ctx.state, view, ".gitignore");
  const isLfsPath = lfsMatcher(attributes);
  const ignorer = gitignore === undefined ? undefined : ignore().add(gitignore);
  const { lfsThresholdBytes, binaryLfsMinBytes } = ctx.state.config;
  const files = body.files.map((raw: unknown, i: number) => {
    const file = asObject(raw, `files[${i}]`);
    const path = validateRepoPath(file.path, `files[${i}].path`);
    const size = file.size;
    if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 0) {
      throw new HubError(
        400,
        "BadRequest",
        `files[${i}].size must be a non-negative integer (path ${path}).`,
      );
    }
    const sample = typeof file.sample === "string" ? file.sample : "";
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(sample)) {
      throw new HubError(400, "BadRequest", `files[${i}].sample is not valid base64 (path ${path}).`);
    }
    const sampleBytes = Buffer.from(sample, "base64");
    const binary = sampleBytes.includes(0);
    // A root README.md whose sample is the whole file gets the Hub's metadata check here already.
    if (path === "README.md" && sampleBytes.length === size) {
      const check = checkMetadata(sampleBytes.toString("utf8"));
      if (check.errors.length > 0) throw invalidMetadata(check.errors);
    }
    // An empty file is always regular on the Hub, whatever its extension or .gitattributes.
    const lfs =
      size > 0 && (isLfsPath(path) || size > lfsThresholdBytes || (binary && size > binaryLfsMinBytes));
    const existing = ctx.state.tree.get(view, path);
    return {
      path,
      uploadMode: lfs ? "lfs" : "regular",
      shouldIgnore: ignorer?.ignores(path) ?? false,
      ...(existing ? { oid: existing.kind === "lfs" ? existing.sha256 : existing.blob_oid } : {}),
    };
  });
  sendJson(ctx, 200, { files, commitOid: view.commitId });
}
