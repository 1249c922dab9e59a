import { chmodSync, lstatSync, unlinkSync } from "node:fs";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import { HubpushError, toHubpushError } from "../common/hubpush-error.js";
import { intQuery } from "./control-params.js";
import { type ControlContext, controlRoutes, type Route, type RouteAnswer } from "./control-routes.js";
import { EventFeed } from "./event-feed.js";
import { readJsonBody } from "./read-json-body.js";
import { writeEventStream } from "./write-event-stream.js";

export interface ControlServerOptions {
  /** Time to receive a whole request (headers and body); default 30 s. */
  readonly requestTimeoutMs?: number;
  /** Time to receive the headers; default 10 s. A client that sends nothing is dropped after it. */
  readonly headersTimeoutMs?: number;
  /** How often the timeouts above are checked; default 1 s (Node's default is 30 s). */
  readonly checkIntervalMs?: number;
  /** How often event streams look for new events; default 100 ms. */
  readonly eventPollMs?: number;
}

const STREAM_ROUTE = "/v1/events/stream";

function sendJson(res: ServerResponse, status: number, body: unknown, close = false): void {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    ...(close ? { connection: "close" } : {}),
  });
  res.end(text);
}

function send(res: ServerResponse, answer: RouteAnswer): void {
  if ("json" in answer) {
    if (answer.afterSend !== undefined) res.once("finish", answer.afterSend);
    sendJson(res, answer.status, answer.json);
    return;
  }
  res.writeHead(answer.status, {
    "content-type": answer.contentType,
    "content-length": Buffer.byteLength(answer.text),
  });
  res.end(answer.text);
}

function notFound(pathname: string, route: Route | undefined, method: string): HubpushError {
  const message =
    route === undefined
      ? `no control route ${pathname}: see docs/control-api.md for the routes under /v1/`
      : `${method} ${pathname} does not exist: use ${route.method}`;
  return new HubpushError("ERR_CONTROL_NOT_FOUND", message);
}

/**
 * The control API on the Unix socket: HTTP/1.1 + JSON, routes in control-routes.ts. Every failure
 * becomes an error answer with a code; nothing a client sends can end the process.
 */
export class ControlServer {
  readonly #ctx: ControlContext;
  readonly #routes: ReadonlyMap<string, Route>;
  readonly #feed: EventFeed;
  readonly #server: http.Server;
  #socketPath: string | null = null;
  #stopping = false;
  /** Requests (event streams included) whose answer is not finished; close() waits for them. */
  #inFlight = 0;
  #onIdle: (() => void) | null = null;

  constructor(ctx: ControlContext, options: ControlServerOptions = {}) {
    this.#ctx = ctx;
    this.#routes = controlRoutes(ctx);
    this.#feed = new EventFeed(ctx.journal, options.eventPollMs);
    this.#server = http.createServer({
      requestTimeout: options.requestTimeoutMs ?? 30_000,
      headersTimeout: options.headersTimeoutMs ?? 10_000,
      connectionsCheckingInterval: options.checkIntervalMs ?? 1_000,
      keepAliveTimeout: 5_000,
      maxHeaderSize: 16 * 1024,
    });
    this.#server.maxConnections = 256;
    this.#server.on("request", (req: IncomingMessage, res: ServerResponse) => {
      this.#inFlight += 1;
      res.once("close", () => {
        this.#inFlight -= 1;
        if (this.#inFlight === 0) this.#onIdle?.();
      });
      this.#handle(req, res).catch((err: unknown) => {
        ctx.logger.error({ err }, "control request crashed");
        res.destroy();
      });
    });
  }

  /** Listens on `socketPath` (mode 0600), replacing a stale socket file left by a dead daemon. */
  async listen(socketPath: string): Promise<void> {
    removeStaleSocket(socketPath);
    await new Promise<void>((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen({ path: socketPath }, () => {
        this.#server.off("error", reject);
        resolve();
      });
    });
    this.#socketPath = socketPath;
    chmodSync(socketPath, 0o600);
  }

  /** From now on, requests that change state get 503 (reads and event streams keep working). */
  beginStopping(): void {
    this.#stopping = true;
  }

  /** Removes the socket file now (the forced exit, where nothing async can run any more). */
  removeSocketFile(): void {
    if (this.#socketPath === null) return;
    try {
      removeStaleSocket(this.#socketPath);
    } catch {
      // Best effort on the way out: a stale socket is replaced on the next start anyway.
    }
  }

  /** Ends event streams, stops accepting connections, waits for answers in flight, removes the socket. */
  async close(): Promise<void> {
    this.#stopping = true;
    this.#feed.close();
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    // Answers in flight may finish (streams end right away, the feed is closed); connections
    // without a request in flight (idle keep-alive, or opened and silent) are cut at once.
    const idle = new Promise<void>((resolve) => {
      this.#onIdle = resolve;
      if (this.#inFlight === 0) resolve();
    });
    let timer: NodeJS.Timeout | undefined;
    const cap = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, 2_000);
    });
    await Promise.race([idle, cap]);
    clearTimeout(timer);
    this.#server.closeAllConnections();
    await closed;
    if (this.#socketPath !== null) removeStaleSocket(this.#socketPath);
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    const method = req.method ?? "GET";
    const url = parseUrl(req.url);
    const route = this.#routes.get(url.pathname);
    const label = route !== undefined || url.pathname === STREAM_ROUTE ? url.pathname : "other";
    const observe = (status: number) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      this.#ctx.metrics.observe(method, label, status, seconds);
      this.#ctx.logger.debug(
        { method, route: label, status, ms: Math.round(seconds * 1000) },
        "control request",
      );
    };
    try {
      if (url.pathname === STREAM_ROUTE) {
        if (method !== "GET")
          throw new HubpushError("ERR_CONTROL_NOT_FOUND", `${method} ${STREAM_ROUTE}: use GET`);
        const since = intQuery(url.searchParams, "since", 0);
        const job = intQuery(url.searchParams, "job", 0);
        observe(200);
        await writeEventStream(res, {
          journal: this.#ctx.journal,
          feed: this.#feed,
          since,
          jobId: job === 0 ? null : job,
        });
        return;
      }
      if (route === undefined || route.method !== method) throw notFound(url.pathname, route, method);
      if (route.mutates && this.#stopping) {
        throw new HubpushError(
          "ERR_DAEMON_NOT_RUNNING",
          "the daemon is shutting down: start it again with `hubpush daemon start`",
          { retryable: true },
        );
      }
      const body = method === "POST" ? await readJsonBody(req) : undefined;
      const answer = await route.handle({ query: url.searchParams, body });
      send(res, answer);
      observe(answer.status);
    } catch (err) {
      const error = toHubpushError(err);
      if (error.code === "ERR_INTERNAL")
        this.#ctx.logger.error({ err, route: label }, "control request failed");
      this.#ctx.metrics.countError(error.code);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      // An unread body (413) cannot be skipped cheaply: close the connection after answering.
      sendJson(
        res,
        error.httpStatus,
        { error: { code: error.code, message: error.message, retryable: error.retryable } },
        error.code === "ERR_CONTROL_BODY_TOO_LARGE",
      );
      observe(error.httpStatus);
    }
  }
}

/** Request targets must be origin-form paths ("/v1/…"); anything else is routed to a 404. */
function parseUrl(target: string | undefined): URL {
  try {
    if (target?.startsWith("/")) return new URL(`http://localhost${target}`);
  } catch {
    // Falls through to the 404 below.
  }
  return new URL("http://localhost/invalid");
}

/** Removes a socket file (never anything else: a regular file there is someone's data). */
function removeStaleSocket(socketPath: string): void {
  let isSocket: boolean;
  try {
    isSocket = lstatSync(socketPath).isSocket();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
    throw err;
  }
  if (!isSocket) {
    throw new HubpushError(
      "ERR_STATE_DIR",
      `${socketPath} exists and is not a socket: move it away so the daemon can listen there`,
      { details: { socketPath } },
    );
  }
  unlinkSync(socketPath);
}
