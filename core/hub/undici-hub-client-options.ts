import { type CallTimeouts, DEFAULT_CALL_TIMEOUTS } from "./call-timeouts.js";
import type { HubRepo } from "./hub-client.js";
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
  /** Wait for the answer's headers, ms, for a call kind not in `timeouts`. Default 60_000. */
  readonly headersTimeoutMs?: number;
  /** The same for commits (kept for callers that set it alone), ms. Default timeouts.commitMs. */
  readonly commitHeadersTimeoutMs?: number;
  /** Headers wait per call kind (call-timeouts.ts); each missing entry takes its default. */
  readonly timeouts?: Partial<CallTimeouts>;
  /** Longest silence between two chunks of an answer's body, ms. Default 60_000. */
  readonly bodyTimeoutMs?: number;
  /** Connections per origin (the Hub, each storage host). Default 16. */
  readonly connections?: number;
  /** Told when the Hub redirects a repo's calls to another name (renamed or moved). */
  readonly onRepoMoved?: (from: HubRepo, to: HubRepo) => void;
  /** Clock (epoch ms) for LFS `expires_in`. Default Date.now. */
  readonly now?: () => number;
}

export type ResolvedHubClientOptions = Required<Omit<UndiciHubClientOptions, "timeouts" | "onRepoMoved">> & {
  readonly timeouts: CallTimeouts;
};

/** Fills in the defaults once; the endpoint loses its trailing slashes. */
export function resolveHubClientOptions(options: UndiciHubClientOptions): ResolvedHubClientOptions {
  return Object.freeze({
    endpoint: options.endpoint.replace(/\/+$/, ""),
    token: options.token,
    userAgent: options.userAgent ?? userAgent(),
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    headersTimeoutMs: options.headersTimeoutMs ?? 60_000,
    commitHeadersTimeoutMs: resolveTimeouts(options).commitMs,
    timeouts: resolveTimeouts(options),
    bodyTimeoutMs: options.bodyTimeoutMs ?? 60_000,
    connections: options.connections ?? 16,
    now: options.now ?? Date.now,
  });
}

/**
 * A `headersTimeoutMs` given alone still sets the light calls (as it always did); the long call
 * kinds (completion, verify, commit, upload) keep limits of their own unless `timeouts` sets them.
 */
function resolveTimeouts(options: UndiciHubClientOptions): CallTimeouts {
  const general = options.headersTimeoutMs;
  const light = general === undefined ? {} : { quickMs: general, createRepoMs: general, batchMs: general };
  const commit = options.commitHeadersTimeoutMs;
  return Object.freeze({
    ...DEFAULT_CALL_TIMEOUTS,
    ...light,
    ...(commit === undefined ? {} : { commitMs: commit }),
    ...options.timeouts,
  });
}
