import { HubpushError, toHubpushError } from "../../common/hubpush-error.js";
import { hashToString } from "../../xet/hash-string.js";
import { parseShard } from "../../xet/shard.js";
import { XetKeyedHasher } from "../../xet/xet-hasher.js";
import type { XetAccessToken, XetCasCalls } from "../hub/hub-client.js";
import type { Logger } from "../logger.js";

/** Refresh a token this long before it expires ([JS] uses 60 s, [XC] 30 s; §1.2). */
export const TOKEN_MARGIN_MS = 60_000;

interface DedupResponse {
  /** null = plain chunk hashes (zero key). */
  readonly keyed: XetKeyedHasher | null;
  readonly chunks: ReadonlyMap<string, { readonly xorb: string; readonly index: number }>;
  /** Epoch ms after which the CAS may refuse references to these xorbs. */
  readonly expiresAt: number;
}

/**
 * What the Xet uploads of one upload-stage loop share: the CAS write token (one per refresh URL,
 * refreshed before expiry and on a 401, concurrent refreshes coalesced; the HF token goes only to
 * the Hub's token route) and the global dedup answers (§7.2–7.3), kept until their key expires.
 */
export class XetSession {
  readonly #cas: XetCasCalls;
  readonly #now: () => number;
  readonly #logger: Logger;
  readonly #tokens = new Map<string, XetAccessToken>();
  readonly #refreshing = new Map<string, Promise<XetAccessToken>>();
  readonly #dedup: DedupResponse[] = [];
  /** Chunk hashes already asked about (each is asked once per session). */
  readonly #asked = new Set<string>();
  /** The "Hub did not offer Xet" note was recorded. */
  fallbackNoted = false;

  constructor(cas: XetCasCalls, now: () => number, logger: Logger) {
    this.#cas = cas;
    this.#now = now;
    this.#logger = logger;
  }

  /** Seeds the token from the LFS batch answer's headers, unless a fresher one is held. */
  offer(refreshUrl: string, token: XetAccessToken | null): void {
    if (token === null) return;
    const held = this.#tokens.get(refreshUrl);
    if (held === undefined || held.expiresAt < token.expiresAt) this.#tokens.set(refreshUrl, token);
  }

  /** A token valid for at least TOKEN_MARGIN_MS; `stale` (refused with 401) forces a refresh. */
  async token(refreshUrl: string, signal: AbortSignal, stale?: XetAccessToken): Promise<XetAccessToken> {
    const held = this.#tokens.get(refreshUrl);
    if (held !== undefined && held !== stale && held.expiresAt - TOKEN_MARGIN_MS > this.#now()) return held;
    let pending = this.#refreshing.get(refreshUrl);
    if (pending === undefined) {
      pending = this.#cas.writeToken(refreshUrl, signal).finally(() => this.#refreshing.delete(refreshUrl));
      this.#refreshing.set(refreshUrl, pending);
    }
    const fresh = await pending;
    this.#tokens.set(refreshUrl, fresh);
    return fresh;
  }

  /** Runs a CAS call with a valid token; on a 401 fetches a fresh token and tries once more. */
  async withToken<T>(
    refreshUrl: string,
    signal: AbortSignal,
    call: (token: XetAccessToken) => Promise<T>,
  ): Promise<T> {
    const first = await this.token(refreshUrl, signal);
    try {
      return await call(first);
    } catch (err) {
      if (toHubpushError(err).code !== "ERR_XET_TOKEN_EXPIRED") throw err;
      const second = await this.token(refreshUrl, signal, first);
      try {
        return await call(second);
      } catch (again) {
        const error = toHubpushError(again);
        if (error.code !== "ERR_XET_TOKEN_EXPIRED") throw again;
        throw new HubpushError(
          "ERR_XET_TOKEN_REFUSED",
          `The Xet CAS refused a freshly issued write token (${error.message}). Check the Hub token, then run \`hubpush retry\`.`,
        );
      }
    }
  }

  /** Where a chunk lives according to the dedup answers received so far, or null. */
  lookup(chunkHash: Uint8Array): { xorb: string; index: number } | null {
    const now = this.#now();
    for (const response of this.#dedup) {
      if (response.expiresAt <= now) continue;
      const key = hashToString(response.keyed === null ? chunkHash : response.keyed.hash(chunkHash));
      const hit = response.chunks.get(key);
      if (hit !== undefined) return hit;
    }
    return null;
  }

  /**
   * Asks the CAS about one chunk (§7.2) unless it was asked before; a useful answer is kept.
   * Returns whether a new answer arrived. A failed query only costs dedup (logged), never the file.
   */
  async query(refreshUrl: string, chunkHash: Uint8Array, signal: AbortSignal): Promise<boolean> {
    const text = hashToString(chunkHash);
    if (this.#asked.has(text)) return false;
    this.#asked.add(text);
    try {
      const body = await this.withToken(refreshUrl, signal, (token) =>
        this.#cas.queryChunk(token, text, signal),
      );
      if (body === null) return false;
      this.#dedup.push(await ingest(body, this.#now()));
      return true;
    } catch (err) {
      if (signal.aborted) throw err;
      const error = toHubpushError(err);
      if (error.code === "ERR_XET_TOKEN_REFUSED") throw err;
      this.#logger.debug({ err: { code: error.code, message: error.message } }, "Xet dedup query failed");
      return false;
    }
  }
}

async function ingest(body: Uint8Array, now: number): Promise<DedupResponse> {
  const shard = parseShard(body);
  const key = shard.footer?.hmacKey ?? new Uint8Array(32);
  const keyed = key.every((b) => b === 0) ? null : await XetKeyedHasher.create(key);
  const chunks = new Map<string, { xorb: string; index: number }>();
  for (const xorb of shard.xorbs) {
    const hash = hashToString(xorb.hash);
    xorb.chunks.forEach((c, index) => {
      const k = hashToString(c.hash);
      if (!chunks.has(k)) chunks.set(k, { xorb: hash, index });
    });
  }
  const expiry = shard.footer?.keyExpiry ?? 0;
  // No expiry given: keep it for this session only (an hour at most).
  const expiresAt = expiry > 0 ? expiry * 1000 : now + 3_600_000;
  return { keyed, chunks, expiresAt };
}
