import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { HubError } from "./hub-error.js";

/**
 * Presigned, self-authenticating URLs: HMAC-SHA256 over method, path, every query parameter and
 * the expiry, keyed by a secret generated once per data dir (so URLs survive a restart).
 */
export class UrlSigner {
  readonly #key: Buffer;

  constructor(dataDir: string) {
    const file = join(dataDir, "secret.key");
    if (!existsSync(file)) {
      const tmp = `${file}.tmp`;
      writeFileSync(tmp, randomBytes(32).toString("hex"), { mode: 0o600 });
      renameSync(tmp, file);
    }
    this.#key = Buffer.from(readFileSync(file, "utf8").trim(), "hex");
  }

  #mac(method: string, path: string, params: URLSearchParams): string {
    const sorted = [...params.entries()]
      .filter(([k]) => k !== "sig")
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${k}=${v}`)
      .join("&");
    return createHmac("sha256", this.#key).update(`${method}\n${path}\n${sorted}`).digest("hex");
  }

  /** Returns `path?…&exp=…&sig=…` valid for `ttlSeconds`. */
  sign(method: string, path: string, params: Record<string, string>, ttlSeconds: number): string {
    const query = new URLSearchParams(params);
    query.set("exp", String(Math.floor(Date.now() / 1000) + ttlSeconds));
    query.set("sig", this.#mac(method, path, query));
    return `${path}?${query.toString()}`;
  }

  /** Throws 403 `SignatureDoesNotMatch` or `RequestExpired` unless the URL is genuine and fresh. */
  verify(method: string, path: string, query: URLSearchParams): void {
    const sig = query.get("sig") ?? "";
    const expected = Buffer.from(this.#mac(method, path, query), "hex");
    const given = Buffer.from(sig, "hex");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new HubError(
        403,
        "SignatureDoesNotMatch",
        "The upload URL signature does not match: the URL was altered. Request a fresh URL from the LFS batch API.",
      );
    }
    const exp = Number(query.get("exp"));
    if (!Number.isFinite(exp) || exp < Date.now() / 1000) {
      throw new HubError(
        403,
        "RequestExpired",
        "The upload URL has expired. Request a fresh URL from the LFS batch API.",
      );
    }
  }
}
