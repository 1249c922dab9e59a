import { HubpushError } from "../../common/hubpush-error.js";
import type { CallTimeouts } from "./call-timeouts.js";
import { headerValue } from "./header-value.js";
import { type XetAccessToken, type XetCasCalls, XORB_PACE_BYTES, type XorbBodySource } from "./hub-client.js";
import type { HubTransport, TransportResponse } from "./hub-transport.js";
import { isRecord, protocolError } from "./protocol-error.js";
import { scrubSecrets } from "./scrub-secrets.js";

interface PacedBody {
  readonly bytes: AsyncIterable<Buffer>;
  readonly length: number;
}

/** The body in pieces of at most XORB_PACE_BYTES, each yielded once `pace` let it go. */
async function* pacedPieces(
  body: Uint8Array | XorbBodySource,
  pace: (bytes: number) => Promise<void>,
): AsyncGenerator<Buffer> {
  const parts = body instanceof Uint8Array ? [body] : body.pieces();
  for await (const part of parts) {
    const all = Buffer.from(part.buffer, part.byteOffset, part.byteLength);
    for (let at = 0; at < all.length; at += XORB_PACE_BYTES) {
      const piece = all.subarray(at, Math.min(all.length, at + XORB_PACE_BYTES));
      await pace(piece.length);
      yield piece;
    }
  }
}

const unpaced = async (): Promise<void> => {};

/** Statuses the CAS client reads itself instead of the generic classification (presigned-URL rules). */
const OWN_STATUSES = [400, 401, 403, 404] as const;

function said(response: TransportResponse, secret: string): string {
  let text = response.text.trim();
  try {
    const json: unknown = JSON.parse(text);
    if (isRecord(json) && typeof (json.error ?? json.message) === "string")
      text = String(json.error ?? json.message);
  } catch {
    // plain text stays as it is
  }
  text = scrubSecrets(text, secret);
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}

/**
 * The Xet CAS over the same transport as every Hub call (hub-transport.ts): undici, the same
 * network-error classification, retryable 5xx/resets (the engine's file-level retry with backoff).
 * CAS calls are sent as "presigned" (no Hub headers, above all no HF token) with the Xet token as
 * bearer; 400/401/403/404 are turned into Xet errors here, with the CAS's own words.
 */
export class XetCasClient implements XetCasCalls {
  readonly #transport: HubTransport;
  readonly #timeouts: CallTimeouts;

  constructor(transport: HubTransport, timeouts: CallTimeouts) {
    this.#transport = transport;
    this.#timeouts = timeouts;
  }

  async writeToken(refreshUrl: string, signal?: AbortSignal): Promise<XetAccessToken> {
    const response = await this.#transport.send({
      method: "GET",
      url: refreshUrl,
      hub: true,
      operation: "Xet write token",
      headersTimeoutMs: this.#timeouts.quickMs,
      accept: OWN_STATUSES,
      signal,
    });
    if (response.status === 404) {
      throw new HubpushError(
        "ERR_XET_UNAVAILABLE",
        `The Hub has no Xet write token for this repo (404: ${said(response, "")}); the file goes through LFS.`,
      );
    }
    if (response.status !== 200) {
      throw new HubpushError(
        "ERR_XET_TOKEN_REFUSED",
        `The Hub refused a Xet write token (${response.status}: ${said(response, "")}). Check that the token (HF_TOKEN or the token file) may write to the repo, then run \`hubpush retry\`.`,
      );
    }
    return parseToken(response);
  }

  async uploadXorb(
    token: XetAccessToken,
    hash: string,
    body: Uint8Array | XorbBodySource,
    signal?: AbortSignal,
    pace?: (bytes: number) => Promise<void>,
  ): Promise<boolean> {
    const response = await this.#cas(
      token,
      "POST",
      `/v1/xorbs/default/${hash}`,
      `upload xorb ${hash}`,
      pace === undefined && body instanceof Uint8Array
        ? body
        : { bytes: pacedPieces(body, pace ?? unpaced), length: body.length },
      signal,
    );
    try {
      const json: unknown = JSON.parse(response.text);
      return isRecord(json) && json.was_inserted !== false;
    } catch {
      return true;
    }
  }

  async uploadShard(token: XetAccessToken, body: Uint8Array, signal?: AbortSignal): Promise<void> {
    await this.#cas(token, "POST", "/v1/shards", "upload shard", body, signal);
  }

  async queryChunk(
    token: XetAccessToken,
    chunkHash: string,
    signal?: AbortSignal,
  ): Promise<Uint8Array | null> {
    const response = await this.#cas(
      token,
      "GET",
      `/v1/chunks/default/${chunkHash}`,
      `dedup query ${chunkHash}`,
      undefined,
      signal,
      true,
    );
    if (response.status === 404) return null;
    return Buffer.from(response.text, "latin1");
  }

  async #cas(
    token: XetAccessToken,
    method: "GET" | "POST",
    path: string,
    operation: string,
    body: Uint8Array | PacedBody | undefined,
    signal: AbortSignal | undefined,
    notFoundOk = false,
  ): Promise<TransportResponse> {
    const response = await this.#transport.send({
      method,
      url: `${token.casUrl.replace(/\/+$/, "")}${path}`,
      hub: false,
      operation,
      headers: { authorization: `Bearer ${token.accessToken}`, "content-type": "application/octet-stream" },
      headersTimeoutMs: this.#timeouts.uploadMs,
      accept: OWN_STATUSES,
      encoding: "latin1",
      ...(body === undefined
        ? {}
        : {
            body:
              body instanceof Uint8Array
                ? {
                    bytes: Buffer.from(body.buffer, body.byteOffset, body.byteLength),
                    length: body.byteLength,
                  }
                : body,
          }),
      signal,
    });
    const { status } = response;
    if (status >= 200 && status < 300) return response;
    if (status === 404 && notFoundOk) return response;
    const words = said(
      { ...response, text: Buffer.from(response.text, "latin1").toString("utf8") },
      token.accessToken,
    );
    if (status === 401) {
      throw new HubpushError(
        "ERR_XET_TOKEN_EXPIRED",
        `The Xet CAS refused the access token for ${operation} (401: ${words}); a fresh one is fetched.`,
        { retryable: true },
      );
    }
    if (status === 403) {
      throw new HubpushError(
        "ERR_XET_TOKEN_REFUSED",
        `The Xet CAS refused ${operation} (403: ${words}): the Xet token lacks write access. Check the Hub token's permissions, then run \`hubpush retry\`.`,
      );
    }
    throw new HubpushError(
      "ERR_XET_CAS_REJECTED",
      `The Xet CAS refused ${operation} (${status}: ${words}).`,
      {
        details: { status, operation, casMessage: words },
      },
    );
  }
}

/** §1.2: the JSON body, else the legacy X-Xet-* headers. */
function parseToken(response: TransportResponse): XetAccessToken {
  let json: unknown;
  try {
    json = JSON.parse(response.text);
  } catch {
    json = null;
  }
  const body = isRecord(json) ? json : {};
  const casUrl =
    typeof body.casUrl === "string" ? body.casUrl : headerValue(response.headers, "x-xet-cas-url");
  const accessToken =
    typeof body.accessToken === "string"
      ? body.accessToken
      : headerValue(response.headers, "x-xet-access-token");
  const exp =
    typeof body.exp === "number" ? body.exp : Number(headerValue(response.headers, "x-xet-token-expiration"));
  if (casUrl === undefined || accessToken === undefined || !Number.isFinite(exp)) {
    throw protocolError(response.context, "the Xet token answer has no casUrl, accessToken and exp");
  }
  return { casUrl, accessToken, expiresAt: exp * 1000 };
}
