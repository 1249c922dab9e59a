import { loadMatchedRepo } from "./authorize.js";
import type { RequestContext } from "./emulator-state.js";
import { HubError } from "./hub-error.js";
import { LFS_CONTENT_TYPE, planUpload } from "./lfs-plan.js";
import type { RouteMatch } from "./match-route.js";
import { asObject, readJsonBody } from "./read-body.js";
import { repoWebUrl } from "./repo-urls.js";
import { revisionNotFound } from "./resolve-revision.js";
import { sendJson } from "./send-response.js";
import { xetBatchAnswer } from "./xet-lfs-batch.js";

export const LFS_BATCH_MAX_OBJECTS = 1000;
const OID_RE = /^[0-9a-f]{64}$/;

function objectError(oid: unknown, size: unknown, message: string) {
  return {
    oid: typeof oid === "string" ? oid : String(oid),
    size: typeof size === "number" ? size : 0,
    error: { code: 422, message },
  };
}

/** `POST /{prefix}{ns}/{name}.git/info/lfs/objects/batch` (hub-protocol.md §4). */
export async function handleLfsBatch(ctx: RequestContext, match: RouteMatch): Promise<void> {
  const preBody = asObject(await readJsonBody(ctx), "LFS batch body");
  const refField =
    preBody.ref === undefined || preBody.ref === null ? undefined : asObject(preBody.ref, "ref");
  const rawRef = refField?.name;
  if (refField !== undefined && typeof rawRef !== "string")
    throw new HubError(400, "BadRequest", "ref.name must be a string.");
  const refName = typeof rawRef === "string" ? rawRef : undefined;
  // `ref` asks for write access on that ref; without it (PR uploads) reading suffices.
  const prOnly = refName === undefined || refName.startsWith("refs/pr/");
  const repo = loadMatchedRepo(ctx, match.repo, prOnly ? "pr" : "write");
  if (refName !== undefined) {
    const bare = refName.startsWith("refs/heads/") ? refName.slice("refs/heads/".length) : refName;
    if (!ctx.state.repos.getRef(repo.id, bare)) throw revisionNotFound(refName);
  }
  if (preBody.operation !== "upload") {
    throw new HubError(
      400,
      "BadRequest",
      `Unsupported LFS operation ${JSON.stringify(preBody.operation)}: only "upload".`,
    );
  }
  const algo = preBody.hash_algo;
  if (algo !== undefined && algo !== "sha256" && algo !== "sha_256") {
    throw new HubError(
      409,
      "UnsupportedHashAlgo",
      `Unsupported hash_algo ${JSON.stringify(algo)}: use sha256.`,
    );
  }
  const transfers = Array.isArray(preBody.transfers) ? preBody.transfers : ["basic"];
  const multipartOffered = transfers.includes("multipart");
  if (!Array.isArray(preBody.objects)) throw new HubError(400, "BadRequest", "objects must be an array.");
  if (preBody.objects.length > LFS_BATCH_MAX_OBJECTS) {
    throw new HubError(
      413,
      "TooManyObjects",
      `Too many objects (${preBody.objects.length}); send at most ${LFS_BATCH_MAX_OBJECTS}.`,
    );
  }
  const first = preBody.objects[0] as { oid?: unknown } | undefined;
  if (preBody.objects.length === 1 && typeof first?.oid === "string") ctx.oid = first.oid;
  const { config, objects } = ctx.state;
  let anyMultipart = false;
  const answers = preBody.objects.map((raw: unknown) => {
    const o = typeof raw === "object" && raw !== null ? (raw as Record<string, unknown>) : {};
    const { oid, size } = o;
    if (typeof oid !== "string" || !OID_RE.test(oid)) {
      return objectError(
        oid,
        size,
        `Invalid oid ${JSON.stringify(oid)}: expected 64 lowercase hex characters (sha256).`,
      );
    }
    if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 0) {
      return objectError(
        oid,
        size,
        `Invalid size ${JSON.stringify(size)} for ${oid}: expected an integer >= 0.`,
      );
    }
    const stored = objects.objectSize(oid);
    if (stored !== undefined) {
      if (stored !== size)
        return objectError(oid, size, `Object ${oid} is stored with size ${stored}, not ${size}.`);
      return { oid, size };
    }
    const multipart = multipartOffered && size > config.multipartThresholdBytes;
    if (multipart && Math.ceil(size / config.multipartChunkBytes) > 99_999) {
      return objectError(oid, size, `Object ${oid} would need more than 99999 parts.`);
    }
    anyMultipart ||= multipart;
    const upload = planUpload(ctx, repo, oid, size, multipart);
    const verify = { href: `${repoWebUrl(ctx.baseUrl, repo)}.git/info/lfs/objects/verify` };
    return { oid, size, authenticated: true, actions: { upload, verify } };
  });
  const xet = xetBatchAnswer(ctx, repo, refName, transfers, answers);
  sendJson(
    ctx,
    200,
    xet ?? { transfer: anyMultipart ? "multipart" : "basic", objects: answers, hash_algo: "sha256" },
    {
      "Content-Type": LFS_CONTENT_TYPE,
    },
  );
}
