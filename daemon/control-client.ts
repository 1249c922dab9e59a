import { Pool } from "undici";
import { ERROR_CODES } from "../common/error-codes.js";
import { HubpushError } from "../common/hubpush-error.js";
import type { EventRecord } from "../storage/journal.js";

const NOT_RUNNING = "daemon not running — start it with `hubpush daemon start`";

/** Connection-level failures: the daemon is not there (or went away mid-request). */
function connectionError(err: unknown, socketPath: string): HubpushError | null {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code === "ENOENT" || code === "ECONNREFUSED" || code === "ENOTSOCK") {
    return new HubpushError("ERR_DAEMON_NOT_RUNNING", NOT_RUNNING, { cause: err, details: { socketPath } });
  }
  if (code === "UND_ERR_SOCKET" || code === "ECONNRESET" || code === "EPIPE" || code === "UND_ERR_CLOSED") {
    return new HubpushError(
      "ERR_DAEMON_NOT_RUNNING",
      "the daemon closed the connection (it may have stopped): check `hubpush daemon status` and its log",
      { cause: err, details: { socketPath } },
    );
  }
  if (code === "EACCES") {
    return new HubpushError(
      "ERR_CONTROL_FORBIDDEN",
      `permission denied on the control socket ${socketPath}: the daemon belongs to another user; use your own HUBPUSH_HOME`,
      { cause: err, details: { socketPath } },
    );
  }
  return null;
}

/** Turns an error answer `{"error": {code, message, retryable}}` back into a HubpushError. */
function answerError(status: number, text: string): HubpushError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = null;
  }
  const error = (parsed as { error?: { code?: unknown; message?: unknown; retryable?: unknown } } | null)
    ?.error;
  const code = typeof error?.code === "string" && Object.hasOwn(ERROR_CODES, error.code) ? error.code : null;
  const message =
    typeof error?.message === "string"
      ? error.message
      : `the daemon answered ${status}: ${text.slice(0, 200)}`;
  return new HubpushError(code === null ? "ERR_INTERNAL" : (code as keyof typeof ERROR_CODES), message, {
    retryable: error?.retryable === true,
    details: { status },
  });
}

/**
 * Talks to the daemon's control API over its Unix socket (docs/control-api.md). Each request uses a
 * fresh connection that is closed afterwards, so a short-lived CLI is never kept alive by an idle
 * keep-alive socket.
 */
export class ControlClient {
  readonly socketPath: string;
  readonly #client: Pool;
  #closed = false;

  constructor(socketPath: string) {
    this.socketPath = socketPath;
    this.#client = new Pool("http://localhost", {
      socketPath,
      connect: { timeout: 5_000 },
      headersTimeout: 60_000,
      bodyTimeout: 60_000,
    });
  }

  /** One JSON request; an error answer is thrown as the HubpushError the daemon reported. */
  async request<T>(method: "GET" | "POST", route: string, body?: unknown): Promise<T> {
    const payload = body === undefined ? (method === "POST" ? "{}" : undefined) : JSON.stringify(body);
    let answer: { status: number; text: string };
    try {
      const res = await this.#client.request({
        method,
        path: route,
        reset: true,
        headers: payload === undefined ? {} : { "content-type": "application/json" },
        ...(payload === undefined ? {} : { body: payload }),
      });
      answer = { status: res.statusCode, text: await res.body.text() };
    } catch (err) {
      throw connectionError(err, this.socketPath) ?? err;
    }
    if (answer.status >= 400) throw answerError(answer.status, answer.text);
    const type = route.startsWith("/v1/metrics") ? "text" : "json";
    if (type === "text") return answer.text as T;
    try {
      return JSON.parse(answer.text) as T;
    } catch (err) {
      throw new HubpushError("ERR_INTERNAL", `the daemon's answer to ${route} is not JSON`, { cause: err });
    }
  }

  /**
   * Follows the event stream from the event after `since`, calling `onEvent` for each one. Resolves
   * when `signal` aborts or the daemon ends the stream (it does so when it stops); rejects with
   * ERR_DAEMON_NOT_RUNNING when there is no daemon. Ids increase by 1; a jump means pruned events
   * (or, with `jobId`, events of other jobs).
   */
  async streamEvents(
    since: number,
    onEvent: (e: EventRecord) => void,
    signal: AbortSignal,
    options: { readonly jobId?: number } = {},
  ): Promise<void> {
    const query = `since=${since}${options.jobId === undefined ? "" : `&job=${options.jobId}`}`;
    if (signal.aborted) return;
    try {
      const res = await this.#client.request({
        method: "GET",
        path: `/v1/events/stream?${query}`,
        signal,
        reset: true,
        bodyTimeout: 0,
      });
      if (res.statusCode >= 400) throw answerError(res.statusCode, await res.body.text());
      let pending = "";
      for await (const chunk of res.body) {
        pending += (chunk as Buffer).toString("utf8");
        let newline = pending.indexOf("\n");
        while (newline !== -1) {
          const line = pending.slice(0, newline);
          pending = pending.slice(newline + 1);
          if (line.trim() !== "") onEvent(JSON.parse(line) as EventRecord);
          newline = pending.indexOf("\n");
        }
      }
    } catch (err) {
      if (signal.aborted || this.#closed) return;
      throw connectionError(err, this.socketPath) ?? err;
    }
  }

  /** Closes the connections, aborting a request or event stream still open. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#client.destroy();
  }
}
