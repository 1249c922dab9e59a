import { loadMatchedRepo } from "./authorize.js";
import type { RequestContext } from "./emulator-state.js";
import { HubError } from "./hub-error.js";
import type { RouteMatch } from "./match-route.js";
import { asObject, bodyChunks, readJsonBody } from "./read-body.js";
import { sendJson } from "./send-response.js";

function signedInt(ctx: RequestContext, key: string): number {
  const value = Number(ctx.url.searchParams.get(key));
  if (!Number.isSafeInteger(value) || value < 0)
    throw new HubError(400, "BadRequest", `Bad ${key} in upload URL.`);
  return value;
}

/** Checks the presigned URL (no Authorization header needed, and any sent is ignored). */
function verifySigned(ctx: RequestContext, method: string): void {
  ctx.state.signer.verify(method, ctx.url.pathname, ctx.url.searchParams);
}

function declaredLength(ctx: RequestContext): number | undefined {
  const raw = ctx.req.headers["content-length"];
  return raw === undefined ? undefined : Number(raw);
}

/** `PUT` presigned basic upload: streams to a temp file while hashing, stores only if sha256 and size match. */
export async function handleLfsPut(ctx: RequestContext, match: RouteMatch): Promise<void> {
  verifySigned(ctx, "PUT");
  const oid = match.oid ?? "";
  const size = signedInt(ctx, "size");
  const declared = declaredLength(ctx);
  if (declared !== undefined && declared !== size) {
    throw new HubError(
      400,
      "SizeMismatch",
      `Content-Length ${declared} does not match the object size ${size} of ${oid}.`,
    );
  }
  const { objects } = ctx.state;
  const received = await objects.receive(bodyChunks(ctx), size, ["sha256"]);
  ctx.bytesIn += received.size;
  if (received.size !== size) {
    await objects.discard(received.tmpFile);
    throw new HubError(
      400,
      "SizeMismatch",
      `Received ${received.size} bytes for ${oid}, expected ${size}. Nothing was stored.`,
    );
  }
  if (received.digests.sha256 !== oid) {
    await objects.discard(received.tmpFile);
    throw new HubError(
      400,
      "ChecksumMismatch",
      `The uploaded content's sha256 ${received.digests.sha256} does not match the oid ${oid}. Nothing was stored.`,
    );
  }
  await objects.commitObject(received.tmpFile, oid);
  ctx.res.writeHead(200, { ETag: `"${oid}"`, "Content-Length": "0" });
  ctx.res.end();
}

/** `PUT` presigned multipart part: stored (overwriting a re-send), answered with a quoted ETag. */
export async function handleLfsPart(ctx: RequestContext, match: RouteMatch): Promise<void> {
  verifySigned(ctx, "PUT");
  const size = signedInt(ctx, "size");
  const chunk = signedInt(ctx, "chunk");
  const upload = ctx.url.searchParams.get("upload") ?? "";
  const n = match.partNumber ?? 0;
  const parts = Math.ceil(size / chunk);
  if (n < 1 || n > parts) throw new HubError(400, "InvalidPart", `Part ${n} is out of range 1..${parts}.`);
  const expected = n < parts ? chunk : size - chunk * (parts - 1);
  const declared = declaredLength(ctx);
  if (declared !== undefined && declared !== expected) {
    throw new HubError(
      400,
      "InvalidPartSize",
      `Part ${n} must be ${expected} bytes, Content-Length says ${declared}.`,
    );
  }
  const { objects, db } = ctx.state;
  const received = await objects.receive(bodyChunks(ctx), expected, ["sha256"]);
  ctx.bytesIn += received.size;
  if (received.size !== expected) {
    await objects.discard(received.tmpFile);
    throw new HubError(
      400,
      "InvalidPartSize",
      `Part ${n} must be ${expected} bytes, received ${received.size}.`,
    );
  }
  const etag = `"${(received.digests.sha256 ?? "").slice(0, 32)}"`;
  await objects.commitPart(received.tmpFile, upload, n);
  db.prepare("INSERT OR REPLACE INTO parts (upload_id, part_number, etag, size) VALUES (?, ?, ?, ?)").run(
    upload,
    n,
    etag,
    expected,
  );
  ctx.res.writeHead(200, { ETag: etag, "Content-Length": "0" });
  ctx.res.end();
}

const completing = new Map<string, Promise<void>>();

/** `POST` presigned completion: every part present with its ETag; assembles, verifies, stores. Idempotent. */
export async function handleLfsComplete(ctx: RequestContext, match: RouteMatch): Promise<void> {
  verifySigned(ctx, "POST");
  const oid = match.oid ?? "";
  const size = signedInt(ctx, "size");
  const partCount = signedInt(ctx, "parts");
  const upload = ctx.url.searchParams.get("upload") ?? "";
  const body = asObject(await readJsonBody(ctx), "completion body");
  if (body.oid !== oid)
    throw new HubError(400, "BadRequest", `Completion body oid ${JSON.stringify(body.oid)} is not ${oid}.`);
  const { objects, db } = ctx.state;
  if (objects.objectSize(oid) === size) {
    // A retried completion after a lost answer: already done.
    sendJson(ctx, 200, {});
    return;
  }
  if (!Array.isArray(body.parts) || body.parts.length !== partCount) {
    const got = Array.isArray(body.parts) ? body.parts.length : "no";
    throw new HubError(
      400,
      "InvalidPartCount",
      `Completion of ${oid} lists ${got} parts, expected ${partCount}.`,
    );
  }
  const stored = db
    .prepare<[string], { part_number: number; etag: string }>(
      "SELECT part_number, etag FROM parts WHERE upload_id = ?",
    )
    .all(upload);
  const etags = new Map(stored.map((p) => [p.part_number, p.etag]));
  body.parts.forEach((raw: unknown, i: number) => {
    const part = asObject(raw, `parts[${i}]`);
    if (part.partNumber !== i + 1) {
      throw new HubError(
        400,
        "InvalidPartOrder",
        `parts[${i}].partNumber must be ${i + 1} (ascending, every part listed).`,
      );
    }
    if (typeof part.etag !== "string" || part.etag === "") {
      throw new HubError(400, "MissingEtag", `Part ${i + 1} of ${oid} has no etag in the completion body.`);
    }
    const have = etags.get(i + 1);
    if (have === undefined)
      throw new HubError(400, "MissingPart", `Part ${i + 1} of ${oid} was never uploaded.`);
    if (have !== part.etag) {
      throw new HubError(
        400,
        "EtagMismatch",
        `Part ${i + 1} of ${oid}: etag ${part.etag} does not match the stored ${have}.`,
      );
    }
  });
  let job = completing.get(upload);
  if (!job) {
    job = assemble(ctx, oid, size, partCount, upload).finally(() => completing.delete(upload));
    completing.set(upload, job);
  }
  await job;
  sendJson(ctx, 200, {});
}

async function assemble(
  ctx: RequestContext,
  oid: string,
  size: number,
  parts: number,
  upload: string,
): Promise<void> {
  const { objects, db } = ctx.state;
  const received = await objects.assemble(upload, parts, size);
  if (received.size !== size || received.digests.sha256 !== oid) {
    await objects.discard(received.tmpFile);
    throw new HubError(
      400,
      "ChecksumMismatch",
      `Assembled parts of ${oid} have sha256 ${received.digests.sha256} and ${received.size} bytes; re-upload the parts.`,
    );
  }
  await objects.commitObject(received.tmpFile, oid);
  db.prepare("DELETE FROM parts WHERE upload_id = ?").run(upload);
  await objects.removeParts(upload);
}

/** `POST …/info/lfs/objects/verify` `{oid, size}` with Hub auth: 200 when the object is stored. */
export async function handleLfsVerify(ctx: RequestContext, match: RouteMatch): Promise<void> {
  loadMatchedRepo(ctx, match.repo, "pr");
  const body = asObject(await readJsonBody(ctx), "verify body");
  const oid = typeof body.oid === "string" ? body.oid : "";
  ctx.oid = oid || null;
  const stored = /^[0-9a-f]{64}$/.test(oid) ? ctx.state.objects.objectSize(oid) : undefined;
  if (stored === undefined || stored !== body.size) {
    throw new HubError(
      404,
      "ObjectNotFound",
      `LFS object ${oid} of size ${String(body.size)} is not stored.`,
    );
  }
  sendJson(ctx, 200, {});
}
