import type { LfsBatchAnswer, LfsObjectRequest, LfsVerifyAction } from "./hub-client.js";
import type { HubError } from "./hub-error.js";
import { isRecord } from "./protocol-error.js";

export interface ParseLfsBatchOptions {
  /** Clock for `expires_in`. */
  readonly now: () => number;
  readonly fail: (what: string) => HubError;
  /** hubpush offered `xet` (--transfer auto|xet): a Xet answer is read as such (§1.1). */
  readonly offeredXet?: boolean;
}

type Fail = (what: string) => HubError;

function stringHeader(value: unknown, where: string, fail: Fail): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) throw fail(`${where} is not an object`);
  const out: Record<string, string> = {};
  for (const [name, v] of Object.entries(value)) {
    if (typeof v !== "string") throw fail(`${where}.${name} is not a string`);
    out[name] = v;
  }
  return out;
}

function expiresAt(upload: Record<string, unknown>, now: () => number): number | null {
  if (typeof upload.expires_at === "string") {
    const at = Date.parse(upload.expires_at);
    if (!Number.isNaN(at)) return at;
  }
  if (typeof upload.expires_in === "number" && Number.isFinite(upload.expires_in)) {
    return now() + upload.expires_in * 1000;
  }
  return null;
}

function parseVerify(actions: Record<string, unknown>, oid: string, fail: Fail): LfsVerifyAction | null {
  const verify = actions.verify;
  if (verify === undefined || verify === null) return null;
  if (!isRecord(verify) || typeof verify.href !== "string") throw fail(`object ${oid}: verify has no href`);
  return { href: verify.href, header: stringHeader(verify.header, `object ${oid}: verify.header`, fail) };
}

function parseChunkSize(value: unknown, oid: string, fail: Fail): number {
  const n = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n <= 0) {
    throw fail(`object ${oid}: chunk_size ${JSON.stringify(value)} is not a positive integer`);
  }
  return n;
}

/**
 * hubpush asks for `basic` and `multipart` only. An answer that says `transfer: "xet"` anyway (for
 * the batch or one object) is read as huggingface_hub reads it: the object's `actions` are used when
 * it carries them; without an upload action the object cannot be sent by us, and only that file
 * fails, with a message saying so (under xet, no action does not mean "already stored").
 */
function xetWithoutAction(oid: string, size: number): LfsBatchAnswer {
  return {
    kind: "error",
    oid,
    size,
    code: 422,
    message:
      'the Hub answered this object with transfer "xet" and no basic or multipart upload action; hubpush does not implement the Xet protocol, so this file cannot be uploaded to this repo by hubpush (upload it with `hf upload`)',
  };
}

/** The X-Xet-* headers of a Xet upload action (§1.1); a token is used only when all three are sound. */
function parseXetUpload(
  oid: string,
  size: number,
  href: string,
  header: unknown,
  fail: Fail,
): LfsBatchAnswer {
  const h = Object.fromEntries(
    Object.entries(stringHeader(header, `object ${oid}: upload.header`, fail)).map(([k, v]) => [
      k.toLowerCase(),
      v,
    ]),
  );
  const casUrl = h["x-xet-cas-url"];
  const accessToken = h["x-xet-access-token"];
  const exp = Number(h["x-xet-token-expiration"]);
  const token =
    casUrl !== undefined && accessToken !== undefined && Number.isFinite(exp) && exp > 0
      ? { casUrl, accessToken, expiresAt: exp * 1000 }
      : null;
  return { kind: "xet", oid, size, refreshUrl: href, token, sessionId: h["x-xet-session-id"] ?? null };
}

/** One object of the answer (hub-protocol.md §4 object cases 1–4). */
function parseObject(entry: unknown, options: ParseLfsBatchOptions, batchXet: boolean): LfsBatchAnswer {
  const { fail } = options;
  if (!isRecord(entry) || typeof entry.oid !== "string") throw fail("an object has no string `oid`");
  const { oid, size } = entry;
  if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 0) {
    throw fail(`object ${oid} has no integer \`size\``);
  }
  if (entry.error !== undefined && entry.error !== null) {
    const error = entry.error;
    if (!isRecord(error) || typeof error.code !== "number")
      throw fail(`object ${oid}: error has no numeric code`);
    const message = typeof error.message === "string" ? error.message : "";
    return { kind: "error", oid, size, code: error.code, message };
  }
  const xet = batchXet || entry.transfer === "xet";
  // Offered and answered: no upload action means the Hub already has the content (§1.1).
  const asXet = xet && options.offeredXet === true;
  if (entry.actions === undefined || entry.actions === null) {
    return xet && !asXet ? xetWithoutAction(oid, size) : { kind: "stored", oid, size };
  }
  if (!isRecord(entry.actions)) throw fail(`object ${oid}: actions is not an object`);
  const upload = entry.actions.upload;
  // Nothing to upload (at most a verify): the Hub already has the bytes.
  if (upload === undefined || upload === null) {
    return xet && !asXet ? xetWithoutAction(oid, size) : { kind: "stored", oid, size };
  }
  if (!isRecord(upload) || typeof upload.href !== "string") throw fail(`object ${oid}: upload has no href`);
  if (asXet) return parseXetUpload(oid, size, upload.href, upload.header, options.fail);
  const verify = parseVerify(entry.actions, oid, fail);
  const expires = expiresAt(upload, options.now);
  const header = upload.header;
  if (isRecord(header) && header.chunk_size !== undefined) {
    const chunkSize = parseChunkSize(header.chunk_size, oid, fail);
    const parts: [number, string][] = [];
    for (const [key, value] of Object.entries(header)) {
      if (!/^\d+$/.test(key)) continue;
      if (typeof value !== "string") throw fail(`object ${oid}: part ${key} has no URL`);
      parts.push([Number(key), value]);
    }
    parts.sort((a, b) => a[0] - b[0]);
    const expected = Math.ceil(size / chunkSize);
    if (parts.length !== expected) {
      throw fail(
        `object ${oid}: ${parts.length} part URLs for ${size} bytes in chunks of ${chunkSize} (expected ${expected})`,
      );
    }
    parts.forEach(([number], index) => {
      if (number !== index + 1) throw fail(`object ${oid}: part numbers are not 1…${expected}`);
    });
    return {
      kind: "multipart",
      oid,
      size,
      chunkSize,
      partUrls: parts.map(([, url]) => url),
      completionUrl: upload.href,
      expiresAt: expires,
      verify,
    };
  }
  return {
    kind: "basic",
    oid,
    size,
    uploadUrl: upload.href,
    header: stringHeader(header, `object ${oid}: upload.header`, fail),
    expiresAt: expires,
    verify,
  };
}

/**
 * Validates an LFS batch answer (hub-protocol.md §4, §5.2) and returns one answer per requested
 * object, in request order (a duplicated oid gets the same answer twice). Multipart answers are
 * checked strictly: only digit keys are parts, sorted numerically, numbered 1…n with
 * n = ceil(size / chunk_size) — a wrong plan would upload bytes into the wrong parts.
 */
export function parseLfsBatch(
  json: unknown,
  requested: readonly LfsObjectRequest[],
  options: ParseLfsBatchOptions,
): LfsBatchAnswer[] {
  const { fail } = options;
  if (!isRecord(json) || !Array.isArray(json.objects)) throw fail("`objects` is not an array");
  const batchXet = json.transfer === "xet";
  const byOid = new Map<string, LfsBatchAnswer>();
  for (const entry of json.objects) {
    const answer = parseObject(entry, options, batchXet);
    if (!byOid.has(answer.oid)) byOid.set(answer.oid, answer);
  }
  return requested.map((object) => {
    const answer = byOid.get(object.oid);
    if (answer === undefined) throw fail(`no answer for object ${object.oid}`);
    if (answer.size !== object.size) {
      throw fail(
        `object ${object.oid} was asked with size ${object.size} and answered with size ${answer.size}`,
      );
    }
    return answer;
  });
}
