import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { HubpushError, toHubpushError } from "../common/hubpush-error.js";
import type { Journal } from "../storage/journal.js";
import { intQuery } from "./control-params.js";
import type { Route } from "./control-routes.js";
import { EventFeed } from "./event-feed.js";
import { readJsonBody } from "./read-json-body.js";
import type { UiAsset } from "./ui-assets.js";
import { checkUiRequest } from "./ui-auth.js";
import { writeUiStream } from "./ui-event-stream.js";
import { UI_API_PREFIX } from "./ui-routes.js";

/** Action bodies are tiny ({"id": 3}); anything bigger is refused before it is read. */
const MAX_UI_BODY_BYTES = 4 * 1024;
const STREAM = `${UI_API_PREFIX}/v1/events/stream`;

/** Sent with every answer, refusals included: the page runs only its own files and talks only to us. */
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
  "cache-control": "no-store",
};

export interface UiServerOptions {
  readonly token: string;
  readonly routes: ReadonlyMap<string, Route>;
  readonly assets: ReadonlyMap<string, UiAsset>;
  readonly journal: Journal;
  readonly onError: (err: unknown) => void;
  /** How often the live feed sends the jobs' progress; default 2 s. */
  readonly snapshotMs?: number;
}

/**
 * The status page's HTTP server on 127.0.0.1 (docs/ui.md): the page's files and /api/v1/…, every
 * request checked by checkUiRequest first, so nothing (not even the page itself) answers without
 * the token.
 */
export class UiServer {
  readonly #options: UiServerOptions;
  readonly #server: http.Server;
  readonly #feed: EventFeed;
  #port = 0;

  constructor(options: UiServerOptions) {
    this.#options = options;
    this.#feed = new EventFeed(options.journal);
    this.#server = http.createServer({
      requestTimeout: 30_000,
      headersTimeout: 10_000,
      maxHeaderSize: 16 * 1024,
    });
    this.#server.maxConnections = 64;
    this.#server.on("request", (req: IncomingMessage, res: ServerResponse) => {
      this.#handle(req, res).catch((err: unknown) => {
        options.onError(err);
        res.destroy();
      });
    });
  }

  get port(): number {
    return this.#port;
  }

  /** Listens on 127.0.0.1 only (port 0 = any free port). */
  async listen(port: number): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen({ host: "127.0.0.1", port }, () => {
        this.#server.off("error", reject);
        resolve();
      });
    });
    this.#port = (this.#server.address() as AddressInfo).port;
    return this.#port;
  }

  async close(): Promise<void> {
    this.#feed.close();
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    await closed;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? "GET";
    const url = new URL(req.url?.startsWith("/") ? req.url : "/invalid", "http://127.0.0.1");
    try {
      checkUiRequest(req, url, this.#options.token, this.#port);
      if (url.pathname === STREAM && method === "GET") {
        const list = this.#options.routes.get(`${UI_API_PREFIX}/v1/jobs/list`);
        res.setHeaders(new Map(Object.entries(SECURITY_HEADERS)));
        await writeUiStream(res, {
          journal: this.#options.journal,
          feed: this.#feed,
          since: intQuery(url.searchParams, "since", 0),
          snapshotMs: this.#options.snapshotMs ?? 2_000,
          snapshot: () => {
            const answer = list?.handle({ query: new URLSearchParams(), body: undefined });
            return answer !== undefined && !(answer instanceof Promise) && "json" in answer
              ? (answer.json as { jobs: unknown }).jobs
              : [];
          },
        });
        return;
      }
      const asset = this.#asset(url.pathname);
      if (asset !== null && method === "GET") {
        // The token is a base64url string (checked equal above), safe to put in an attribute.
        const body = asset.body.replaceAll("__TOKEN__", this.#options.token);
        this.#send(res, 200, asset.contentType, body);
        return;
      }
      const route = this.#options.routes.get(url.pathname);
      if (route === undefined || route.method !== method) {
        throw new HubpushError(
          "ERR_CONTROL_NOT_FOUND",
          `${method} ${url.pathname} is not part of the status page`,
        );
      }
      let body: unknown;
      if (method === "POST") {
        if (!(req.headers["content-type"] ?? "").startsWith("application/json")) {
          throw new HubpushError(
            "ERR_CONTROL_BAD_REQUEST",
            "actions are JSON: send Content-Type: application/json",
          );
        }
        body = await readJsonBody(req, MAX_UI_BODY_BYTES);
      }
      const answer = await route.handle({ query: url.searchParams, body });
      if ("json" in answer)
        this.#send(res, answer.status, "application/json; charset=utf-8", JSON.stringify(answer.json));
      else this.#send(res, answer.status, answer.contentType, answer.text);
    } catch (err) {
      const error = toHubpushError(err);
      if (error.code === "ERR_INTERNAL") this.#options.onError(err);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const text = JSON.stringify({
        error: { code: error.code, message: error.message, retryable: error.retryable },
      });
      this.#send(res, error.httpStatus, "application/json; charset=utf-8", text, method === "POST");
    }
  }

  #asset(pathname: string): { contentType: string; body: string } | null {
    const name = pathname === "/" ? "index.html" : pathname.startsWith("/ui/") ? pathname.slice(4) : null;
    if (name === null || (name === "index.html" && pathname !== "/")) return null;
    return this.#options.assets.get(name) ?? null;
  }

  #send(res: ServerResponse, status: number, contentType: string, body: string, close = false): void {
    res.writeHead(status, {
      ...SECURITY_HEADERS,
      "content-type": contentType,
      "content-length": Buffer.byteLength(body),
      ...(close ? { connection: "close" } : {}),
    });
    res.end(body);
  }
}
