import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { HubError } from "./hub-error.js";

/** What a Xet access token grants (xet-protocol.md §1.2): one repo, one ref, a scope, until exp. */
export interface XetGrant {
  readonly scope: "read" | "write";
  /** `type/namespace/name`. */
  readonly repo: string;
  readonly ref: string;
  /** Unix seconds. */
  readonly exp: number;
}

/**
 * Mints and checks opaque Xet tokens: `xet_` + base64url(JSON grant) + "." + HMAC. The key is random
 * per emulator process, so tokens do not survive a restart (clients refresh on 401, as with the Hub).
 */
export class XetTokens {
  readonly #key = randomBytes(32);

  constructor(readonly ttlSeconds: number) {}

  mint(grant: Omit<XetGrant, "exp">): { token: string; exp: number } {
    const exp = Math.floor(Date.now() / 1000) + this.ttlSeconds;
    const payload = Buffer.from(JSON.stringify({ ...grant, exp })).toString("base64url");
    return { token: `xet_${payload}.${this.#mac(payload)}`, exp };
  }

  /** The grant of a request's Bearer token; 401 when absent, forged or expired, 403 when read-only. */
  check(authorization: string | undefined, need: "read" | "write"): XetGrant {
    const m = /^Bearer\s+xet_([A-Za-z0-9_-]+)\.([0-9a-f]{64})\s*$/i.exec(authorization ?? "");
    const payload = m?.[1];
    const given = Buffer.from(m?.[2] ?? "", "hex");
    const expected = payload === undefined ? Buffer.alloc(0) : Buffer.from(this.#mac(payload), "hex");
    if (payload === undefined || given.length !== 32 || !timingSafeEqual(given, expected)) {
      throw new HubError(
        401,
        "InvalidXetToken",
        "Missing or invalid Xet access token: fetch one from the xet-write-token route.",
      );
    }
    const grant = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as XetGrant;
    if (grant.exp <= Date.now() / 1000) {
      throw new HubError(401, "XetTokenExpired", "The Xet access token has expired: refresh it and retry.");
    }
    if (need === "write" && grant.scope !== "write") {
      throw new HubError(403, "Forbidden", "This Xet token is read-only: uploads need a write token.");
    }
    return grant;
  }

  #mac(payload: string): string {
    return createHmac("sha256", this.#key).update(payload).digest("hex");
  }
}
