import type { ErrorCode } from "../../common/error-codes.js";
import { headerValue, type ResponseHeaders } from "./header-value.js";
import { describeRepo, type HubCallContext } from "./hub-call-context.js";
import { HubError } from "./hub-error.js";
import { retryAfterMs } from "./retry-after-ms.js";
import { scrubSecrets } from "./scrub-secrets.js";

export interface FailedResponse {
  readonly status: number;
  readonly headers: ResponseHeaders;
  /** The answer's body (possibly truncated). */
  readonly text: string;
}

const MAX_SERVER_MESSAGE = 500;

/** The server's own words: `X-Error-Message`, else the JSON `error`/`message`, else short plain text. */
function serverMessage(response: FailedResponse): string {
  const fromHeader = headerValue(response.headers, "x-error-message");
  if (fromHeader !== undefined && fromHeader.trim() !== "") return fromHeader.trim();
  const text = response.text.trim();
  if (text === "") return "";
  try {
    const json: unknown = JSON.parse(text);
    if (typeof json === "object" && json !== null) {
      const record = json as Record<string, unknown>;
      const parts: string[] = [];
      const main = record.error ?? record.message;
      if (typeof main === "string") parts.push(main);
      else if (Array.isArray(main)) parts.push(main.filter((m) => typeof m === "string").join("; "));
      if (typeof record.error_description === "string") parts.push(record.error_description);
      if (Array.isArray(record.errors)) {
        for (const e of record.errors) {
          if (
            typeof e === "object" &&
            e !== null &&
            typeof (e as { message?: unknown }).message === "string"
          ) {
            parts.push((e as { message: string }).message);
          }
        }
      }
      return parts.join(" — ");
    }
  } catch {
    // Not JSON: plain text is shown, HTML pages are not.
  }
  return text.startsWith("<") ? "" : text;
}

/**
 * Turns a non-2xx answer into a HubError (hub-protocol.md §8.4, design.md §4): what happened, the
 * server's message, and what to do. Transient answers (408, 429, 5xx) are retryable; a 5xx may have
 * been applied (a 500 was observed after a commit had landed), so it sets `maybeApplied`.
 */
export function classifyResponse(
  response: FailedResponse,
  context: HubCallContext,
  token?: string,
): HubError {
  const { status } = response;
  const errorCode = headerValue(response.headers, "x-error-code") ?? null;
  const requestId = headerValue(response.headers, "x-request-id") ?? null;
  let said = scrubSecrets(serverMessage(response), token);
  if (said.length > MAX_SERVER_MESSAGE) said = `${said.slice(0, MAX_SERVER_MESSAGE)}…`;
  const answer = `${status}${said === "" ? "" : `: ${said}`}`;
  const repo = describeRepo(context);
  const where = context.revision === undefined ? repo : `${repo} at revision "${context.revision}"`;

  let code: ErrorCode;
  let message: string;
  let retryable = false;
  let maybeApplied = false;
  if (context.presigned && (status === 401 || status === 403 || status === 404)) {
    code = "ERR_HUB_UPLOAD_URL_EXPIRED";
    message = `An upload URL (${context.operation}) was refused (${answer}); it has probably expired. A fresh upload plan will be requested from ${context.endpoint}.`;
    retryable = true;
  } else if (status === 401) {
    code = "ERR_HUB_UNAUTHORIZED";
    message = `The token was refused by ${context.endpoint} (${answer}). Check HF_TOKEN or the token file, then run \`hubpush retry\`.`;
  } else if (status === 402 || status === 403) {
    code = "ERR_HUB_FORBIDDEN";
    message = `The token lacks write permission on ${repo} (${answer}). Use a token with write access to it, then run \`hubpush retry\`.`;
  } else if (status === 404 && errorCode === "RevisionNotFound") {
    code = "ERR_HUB_REVISION_NOT_FOUND";
    message = `The revision "${context.revision ?? "?"}" does not exist in ${repo} (${answer}). Create the branch or check --revision.`;
  } else if (status === 404 && errorCode === "EntryNotFound") {
    code = "ERR_HUB_ENTRY_NOT_FOUND";
    message = `A path does not exist in ${where} (${answer}) during ${context.operation}.`;
  } else if (status === 404) {
    code = "ERR_HUB_REPO_NOT_FOUND";
    message = `The ${repo} was not found on ${context.endpoint} (${answer}). Create it, or check the repo id and --repo-type, and that the token can see it.`;
  } else if (status === 408) {
    code = "ERR_HUB_TIMEOUT";
    message = `The Hub timed out waiting for the ${context.operation} request to ${repo} (${answer}); it will be retried.`;
    retryable = true;
  } else if (status === 409 || status === 412) {
    code = "ERR_HUB_CONFLICT";
    message =
      status === 412
        ? `${where} moved since the ${context.operation} was prepared (${answer}); rebuild it against the new head.`
        : `The Hub reported a conflict for ${context.operation} on ${repo} (${answer}).`;
  } else if (status === 413) {
    code = "ERR_HUB_PAYLOAD_TOO_LARGE";
    message = `The ${context.operation} request to ${repo} was too large for the Hub (${answer}); send it in smaller batches.`;
  } else if (status === 429) {
    code = "ERR_HUB_RATE_LIMITED";
    message = `The Hub asked to slow down (${answer}) during ${context.operation} on ${repo}; hubpush waits and tries again.`;
    retryable = true;
  } else if (status >= 500) {
    code = "ERR_HUB_SERVER";
    message = `The Hub answered ${context.operation} on ${repo} with a server error (${answer}); it will be retried.`;
    retryable = true;
    maybeApplied = true;
  } else if (status >= 400) {
    code = "ERR_HUB_BAD_REQUEST";
    message = `The Hub rejected the ${context.operation} request for ${where} (${answer}).`;
  } else {
    code = "ERR_HUB_PROTOCOL";
    message = `The Hub answered ${context.operation} on ${repo} with an unexpected status (${answer}).`;
  }
  const wait = retryAfterMs(response.headers);
  return new HubError(code, message, {
    status,
    errorCode,
    requestId,
    retryable,
    maybeApplied,
    ...(wait === undefined ? {} : { retryAfterMs: wait }),
    details: {
      status,
      errorCode,
      requestId,
      operation: context.operation,
      target: context.target,
      ...(context.repo === undefined ? {} : { repo: context.repo.id, repoType: context.repo.type }),
      ...(context.revision === undefined ? {} : { revision: context.revision }),
    },
  });
}
