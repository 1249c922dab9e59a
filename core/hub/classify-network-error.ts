import { describeRepo, type HubCallContext } from "./hub-call-context.js";
import { HubError } from "./hub-error.js";
import { scrubSecrets } from "./scrub-secrets.js";

/** The connection was never made: the request cannot have reached the Hub. */
const NOT_CONNECTED = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EADDRNOTAVAIL",
  "UND_ERR_CONNECT_TIMEOUT",
]);
const TIMEOUTS = new Set([
  "ETIMEDOUT",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
]);
const NETWORK = new Set([
  "ECONNRESET",
  "EPIPE",
  "ECONNABORTED",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
  "UND_ERR_DESTROYED",
  "UND_ERR_INFO",
  "UND_ERR_RES_CONTENT_LENGTH_MISMATCH",
  "HPE_INVALID_CONSTANT",
  "UND_ERR_HTTP_PARSER",
]);

/** The error codes found on an error, its cause chain and (for happy-eyeballs) its `errors`. */
function codesOf(err: unknown, depth = 0): string[] {
  if (typeof err !== "object" || err === null || depth > 4) return [];
  const codes: string[] = [];
  const record = err as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof record.code === "string") codes.push(record.code);
  codes.push(...codesOf(record.cause, depth + 1));
  if (Array.isArray(record.errors))
    for (const inner of record.errors) codes.push(...codesOf(inner, depth + 1));
  return codes;
}

export interface NetworkFailure {
  readonly error: unknown;
  /** The whole request body was handed to the socket before the failure. */
  readonly bodySent: boolean;
  /** The caller's AbortSignal fired. */
  readonly aborted: boolean;
  /** Status of an answer whose body was then lost, if its headers had arrived. */
  readonly status?: number;
}

/**
 * Classifies a failure without a (complete) answer. Everything network-shaped is retryable; the
 * request may have been applied when its body was fully sent (reset, timeout waiting for the answer),
 * never when the connection was refused or never opened.
 */
export function classifyNetworkError(
  failure: NetworkFailure,
  context: HubCallContext,
  token?: string,
): HubError {
  const codes = codesOf(failure.error);
  const first = codes.find((c) => NOT_CONNECTED.has(c) || TIMEOUTS.has(c) || NETWORK.has(c));
  const raw = failure.error instanceof Error ? failure.error.message : String(failure.error);
  const said = scrubSecrets(raw, token);
  const target = `${context.operation} on ${describeRepo(context)} (${context.target})`;
  const connected = !codes.some((c) => NOT_CONNECTED.has(c));
  const maybeApplied = connected && failure.bodySent;
  const common = {
    status: failure.status ?? null,
    cause: failure.error,
    maybeApplied,
    details: {
      operation: context.operation,
      target: context.target,
      errorCodes: codes,
      bodySent: failure.bodySent,
    },
  } as const;

  if (failure.aborted) {
    return new HubError("ERR_INTERRUPTED", `The ${target} was cancelled before it finished.`, {
      ...common,
      retryable: true,
    });
  }
  if (first === undefined && (codes.includes("UND_ERR_INVALID_ARG") || failure.error instanceof TypeError)) {
    return new HubError("ERR_INTERNAL", `hubpush built an invalid request for ${target}: ${said}`, {
      ...common,
      maybeApplied: false,
    });
  }
  const applied = maybeApplied ? " The request was fully sent, so it may have been applied." : "";
  if (first !== undefined && TIMEOUTS.has(first)) {
    return new HubError(
      "ERR_HUB_TIMEOUT",
      `The Hub did not answer ${target} in time (${first}).${applied} It will be retried.`,
      { ...common, retryable: true },
    );
  }
  return new HubError(
    "ERR_HUB_NETWORK",
    `The ${target} failed on the network (${first ?? "unknown error"}: ${said}).${applied} It will be retried; check the connection to ${context.endpoint} if this persists.`,
    { ...common, retryable: true },
  );
}
