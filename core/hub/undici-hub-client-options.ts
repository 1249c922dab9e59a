import { userAgent } from "./user-agent.js";

export interface UndiciHubClientOptions {
  /** Hub base URL, e.g. `https://huggingface.co`; a trailing slash is dropped. Required. */
  readonly endpoint: string;
  /**
   * Returns the Hub token. Called for each request to the endpoint (never stored), so a fixed
   * token file is picked up without a restart. Required.
   */
  readonly token: () => Promise<string>;
  /** User-Agent of Hub calls. Default `hubpush/<version>; node/<node version>`. */
  readonly userAgent?: string;
  /** TCP (+TLS) connect timeout, ms. Default 10_000. */
  readonly connectTimeoutMs?: number;
  /** Wait for the answer's headers once the request is sent, ms. Default 60_000. */
  readonly headersTimeoutMs?: number;
  /** The same for commits, which can take long server-side, ms. Default 600_000 (10 min). */
  readonly commitHeadersTimeoutMs?: number;
  /** Longest silence between two chunks of an answer's body, ms. Default 60_000. */
  readonly bodyTimeoutMs?: number;
  /** Connections per origin (the Hub, each storage host). Default 16. */
  readonly connections?: number;
  /** Clock (epoch ms) for LFS `expires_in`. Default Date.now. */
  readonly now?: () => number;
}

export type ResolvedHubClientOptions = Required<UndiciHubClientOptions>;

/** Fills in the defaults once; the endpoint loses its trailing slashes. */
export function resolveHubClientOptions(options: UndiciHubClientOptions): ResolvedHubClientOptions {
  return Object.freeze({
    endpoint: options.endpoint.replace(/\/+$/, ""),
    token: options.token,
    userAgent: options.userAgent ?? userAgent(),
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    headersTimeoutMs: options.headersTimeoutMs ?? 60_000,
    commitHeadersTimeoutMs: options.commitHeadersTimeoutMs ?? 600_000,
    bodyTimeoutMs: options.bodyTimeoutMs ?? 60_000,
    connections: options.connections ?? 16,
    now: options.now ?? Date.now,
  });
}
