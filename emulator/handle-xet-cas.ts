import { hashFromString, hashToString as hashToText, isHashString } from "../xet/hash-string.js";
import { SHARD_FOOTER_BYTES, SHARD_MAX_BYTES, writeShard } from "../xet/shard.js";
import { XetFormatError } from "../xet/xet-format-error.js";
import { parseXorb } from "../xet/xorb.js";
import type { RequestContext } from "./emulator-state.js";
import { requireXet } from "./handle-xet-token.js";
import { HubError } from "./hub-error.js";
import type { RouteMatch } from "./match-route.js";
import { readBody } from "./read-body.js";
import { type PooledBody, readPooledBody } from "./read-pooled-body.js";
import { sendJson } from "./send-response.js";
import { type XetCas, XORB_LIMIT } from "./xet-cas.js";
import { requestedSpans, sendSpans } from "./xet-fetch.js";
import { materialize } from "./xet-lfs-bridge.js";
import { reconstruction } from "./xet-reconstruction.js";
import { checkShard, dedupChunks, parseUploadedShard, shardId } from "./xet-shard-check.js";
import { streamShardResult } from "./xet-shard-v2.js";

/** §5.8: 64 MiB of shard, plus the optional 200-byte footer (@huggingface/hub budgets it in). */
const SHARD_LIMIT = SHARD_MAX_BYTES + SHARD_FOOTER_BYTES;
const SHARD_HINT = `64 MiB plus a ${SHARD_FOOTER_BYTES}-byte footer; a client must split a larger shard (§5.8)`;
const DEDUP_VALIDITY_SECONDS = 7 * 24 * 3600;

function pathHash(match: RouteMatch): string {
  const h = match.oid ?? "";
  if (!isHashString(h))
    throw new HubError(400, "BadHash", `"${h.slice(0, 80)}" is not a Xet hash (64 hex digits).`);
  return h.toLowerCase();
}

async function readLimited(ctx: RequestContext, limit: number, what: string, hint = ""): Promise<Buffer> {
  return readLimitedWith(ctx, limit, what, hint, () => readBody(ctx, limit));
}

async function readLimitedWith<T>(
  ctx: RequestContext,
  limit: number,
  what: string,
  hint: string,
  read: () => Promise<T>,
): Promise<T> {
  const declared = Number(ctx.req.headers["content-length"] ?? "0");
  const why = hint === "" ? "" : `: ${hint}`;
  if (declared > limit) {
    throw new HubError(
      400,
      "TooLarge",
      `The ${what} is too large: ${declared} bytes (limit ${limit}${why}).`,
    );
  }
  try {
    return await read();
  } catch (err) {
    if (err instanceof HubError && err.status === 413)
      throw new HubError(400, "TooLarge", `The ${what} is too large (limit ${limit}${why}).`);
    throw err;
  }
}

/** `POST|HEAD /v1/xorbs/default/{hash}` (§4.5): full validation before anything is stored. */
async function xorb(ctx: RequestContext, cas: XetCas, match: RouteMatch): Promise<void> {
  const hash = pathHash(match);
  if (ctx.req.method === "HEAD") {
    cas.tokens.check(ctx.req.headers.authorization, "read");
    const stored = cas.store.getXorb(hash);
    if (!stored) throw new HubError(404, "XorbNotFound", `Xorb ${hash} is not stored.`);
    ctx.res.writeHead(200, { "Content-Length": String(stored.size) });
    ctx.res.end();
    return;
  }
  cas.tokens.check(ctx.req.headers.authorization, "write");
  const pooled: PooledBody = await readLimitedWith(ctx, XORB_LIMIT, "xorb", "", () =>
    readPooledBody(ctx, cas.buffers, XORB_LIMIT),
  );
  try {
    await storeXorb(ctx, cas, hash, pooled.bytes);
  } finally {
    pooled.release();
  }
}

/** Validates and stores one xorb body (a view of a pooled buffer: nothing may keep it after). */
async function storeXorb(ctx: RequestContext, cas: XetCas, hash: string, body: Buffer): Promise<void> {
  if (cas.store.getXorb(hash)) {
    sendJson(ctx, 200, { was_inserted: false });
    return;
  }
  let parsed: ReturnType<typeof parseXorb>;
  try {
    parsed = parseXorb(body, cas.hasher, { maxBytes: XORB_LIMIT });
  } catch (err) {
    if (err instanceof XetFormatError) throw new HubError(400, "BadXorb", `Xorb ${hash}: ${err.message}`);
    throw err;
  }
  const computed = hashToText(parsed.hash);
  if (computed !== hash) {
    throw new HubError(
      400,
      "XorbHashMismatch",
      `The xorb's chunks hash to ${computed}, not to ${hash} named in the URL.`,
    );
  }
  sendJson(ctx, 200, {
    was_inserted: await cas.store.putXorb(
      hash,
      body.subarray(0, parsed.chunkBytes),
      parsed.chunks,
      hashToText,
    ),
  });
}

/**
 * `POST /v1/shards` and `/v2/shards` (§5.8, §6): every check runs before the answer starts, so a bad
 * shard gets a precise 400 on both versions. v1 answers `{"result":1}` (`0` when this exact shard was
 * registered before); v2 streams the NDJSON progress frames, then the same result.
 */
async function shard(ctx: RequestContext, cas: XetCas, version: string): Promise<void> {
  cas.tokens.check(ctx.req.headers.authorization, "write");
  const body = await readLimited(ctx, SHARD_LIMIT, "shard", SHARD_HINT);
  const id = shardId(body);
  ctx.oid = id;
  const known = cas.store.hasShard(id);
  const parsed = known ? null : parseUploadedShard(body);
  const files = parsed ? checkShard(cas, parsed) : [];
  const register = async (): Promise<0 | 1> => {
    if (!parsed) return 0;
    await materialize(ctx.state, cas, files);
    const xorbs = [
      ...new Set([
        ...parsed.xorbs.map((x) => hashToText(x.hash)),
        ...files.flatMap((f) => f.terms.map((t) => t.xorb)),
      ]),
    ];
    cas.store.registerShard(id, files, xorbs, dedupChunks(cas, parsed, files));
    return 1;
  };
  if (version === "v2") return streamShardResult(ctx, files.length, register);
  sendJson(ctx, 200, { result: await register() });
}

/** `GET /v1/chunks/{default|default-merkledb}/{chunk}` (§5.7): the registering shard's xorbs, HMAC'd. */
function dedup(ctx: RequestContext, cas: XetCas, match: RouteMatch): void {
  cas.tokens.check(ctx.req.headers.authorization, "read");
  const chunk = pathHash(match);
  const xorbs = cas.store.dedupXorbs(chunk);
  if (!xorbs) throw new HubError(404, "ChunkNotTracked", `Chunk ${chunk} is not tracked for deduplication.`);
  let stored = 0;
  const entries = xorbs.flatMap((hash) => {
    const x = cas.store.getXorb(hash);
    if (!x) return [];
    let start = 0;
    const chunks = x.chunks.map(([h, length]) => {
      const raw = hashFromString(h);
      const c = { hash: cas.hmac ? cas.hmac.hash(raw) : raw, start, length, flags: 0 };
      start += length;
      return c;
    });
    stored += start;
    return [{ hash: hashFromString(hash), chunks, unpackedBytes: start, bytesOnDisk: 0 }];
  });
  const now = Math.floor(Date.now() / 1000);
  const body = writeShard({
    files: [],
    xorbs: entries,
    footer: {
      hmacKey: cas.hmacKey.some((b) => b !== 0) ? cas.hmacKey : new Uint8Array(32),
      createdAt: now,
      keyExpiry: now + DEDUP_VALIDITY_SECONDS,
      storedBytesOnDisk: 0,
      materializedBytes: 0,
      storedBytes: stored,
    },
  });
  ctx.res.writeHead(200, {
    "Content-Type": "application/octet-stream",
    "Content-Length": String(body.length),
  });
  ctx.res.end(body);
}

/**
 * `GET /fetch/{xorb}` — the signed, token-less URL of a reconstruction answer: the Range header's
 * spans (several at once as multipart/byteranges), each inside a signed span.
 */
async function fetchXorb(ctx: RequestContext, cas: XetCas, match: RouteMatch): Promise<void> {
  const hash = pathHash(match);
  ctx.state.signer.verify("GET", ctx.url.pathname, ctx.url.searchParams);
  const stored = cas.store.getXorb(hash);
  if (!stored) throw new HubError(404, "XorbNotFound", `Xorb ${hash} is not stored.`);
  const spans = requestedSpans(ctx, hash, stored.size);
  await sendSpans(ctx, cas.store.xorbPath(hash), stored.size, spans);
}

/** Every CAS route under /_xet (xet-protocol.md §6). */
export async function handleXetCas(ctx: RequestContext, match: RouteMatch): Promise<void> {
  const cas = requireXet(ctx);
  if (match.route === "xet-xorb") return xorb(ctx, cas, match);
  if (match.route === "xet-shard") return shard(ctx, cas, match.path ?? "v1");
  if (match.route === "xet-dedup") return dedup(ctx, cas, match);
  if (match.route === "xet-fetch") return fetchXorb(ctx, cas, match);
  if (match.route === "xet-reconstruction") {
    cas.tokens.check(ctx.req.headers.authorization, "read");
    const body = reconstruction(ctx, cas, pathHash(match), match.path === "v1" ? "v1" : "v2");
    sendJson(ctx, 200, body);
    return;
  }
  cas.tokens.check(ctx.req.headers.authorization, "read");
  if (match.path === "telemetry") {
    await readLimited(ctx, 1024 * 1024, "telemetry body");
    sendJson(ctx, 200, {});
    return;
  }
  if (match.path === "file-chunk-hashes") {
    // §6: optional on the real CAS (delta uploads of edited files); clients treat 404 as "upload
    // the whole file", so the emulator says plainly that it does not model it.
    throw new HubError(
      404,
      "NotModelled",
      `GET /v2/file-chunk-hashes/${pathHash(match)} is not modelled by this emulator (optional in the protocol); upload the whole file instead.`,
    );
  }
  const file = cas.store.getFile(pathHash(match));
  if (!file) throw new HubError(404, "FileNotFound", `Xet file ${match.oid} is not registered.`);
  ctx.res.writeHead(200, { "Content-Length": String(file.size) });
  ctx.res.end();
}
