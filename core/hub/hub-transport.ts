import { Readable } from "node:stream";
import { Agent, request } from "undici";
import { HubpushError, toHubpushError } from "../../common/hubpush-error.js";
import { childSignal } from "../abort-fanout.js";
import { classifyNetworkError } from "./classify-network-error.js";
import { classifyResponse } from "./classify-response.js";
import { headerValue, type ResponseHeaders } from "./header-value.js";
import type { HubCallContext } from "./hub-call-context.js";
import { HubError } from "./hub-error.js";
import { protocolError } from "./protocol-error.js";

export interface HubTransportOptions {
  readonly endpoint: string;
  /** Told of each redirect followed (a renamed or moved repo), before the next hop is sent. */
  readonly onRedirect?: (from: string, to: string) => void;
  readonly token: () => Promise<string>;
  readonly userAgent: string;
  readonly connectTimeoutMs: number;
  readonly headersTimeoutMs: number;
  readonly bodyTimeoutMs: number;
  readonly connections: number;
}

export type TransportBody =
  | { readonly json: unknown; readonly contentType?: string }
  | {
      readonly bytes: Readable | Buffer | Iterable<Buffer> | AsyncIterable<Buffer>;
      readonly length: number;
      readonly contentType?: string;
      /**
       * An async iterable handed to undici as it is (not wrapped in a stream, which reads ahead):
       * undici asks for the next chunk only once the socket has taken the previous one whole, so
       * the source may reuse a chunk's memory when the next is asked for (core/lfs/part-slices.ts).
       */
      readonly pulled?: boolean;
    };

export interface TransportRequest {
  readonly method: "GET" | "POST" | "PUT";
  readonly url: string;
  /** Send the Hub headers: User-Agent, and Authorization when the URL is on the endpoint's origin. */
  readonly hub: boolean;
  readonly operation: string;
  readonly context?: Pick<HubCallContext, "repo" | "revision">;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: TransportBody;
  readonly headersTimeoutMs?: number;
  readonly signal?: AbortSignal | undefined;
  /** Non-2xx statuses handed back instead of thrown (create repo with existOk: 409). */
  readonly accept?: readonly number[];
  /** How the answer's bytes become `text`; latin1 keeps binary answers (Xet shards) byte for byte. */
  readonly encoding?: "utf8" | "latin1";
}

export interface TransportResponse {
  readonly status: number;
  readonly headers: ResponseHeaders;
  readonly text: string;
  readonly context: HubCallContext;
}

const MAX_ANSWER_BYTES = 64 * 1024 * 1024;
const REDIRECTS = new Set([301, 302, 307, 308]);
const MAX_REDIRECTS = 5;
const MAX_ERROR_BYTES = 64 * 1024;

interface BodyState {
  sent: boolean;
  sourceError: unknown;
}

/** Yields the body while remembering a failure of the caller's source (a file read error). */
async function* tracked(
  source: Readable | Buffer | Iterable<Buffer> | AsyncIterable<Buffer>,
  state: BodyState,
): AsyncGenerator<Buffer> {
  if (Buffer.isBuffer(source)) {
    yield source;
    return;
  }
  try {
    for await (const chunk of source) yield Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
  } catch (err) {
    state.sourceError = err;
    throw err;
  }
}

/** A pulled body as undici sees it: the caller's chunks, then `sent` once the last was taken. */
async function* pulledBody(
  source: Buffer | Iterable<Buffer> | AsyncIterable<Buffer>,
  state: BodyState,
): AsyncGenerator<Buffer> {
  yield* tracked(source, state);
  state.sent = true;
}

async function readText(
  body: Readable,
  limit: number,
  truncate: boolean,
  encoding: "utf8" | "latin1" = "utf8",
): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buf = chunk as Buffer;
    chunks.push(buf);
    size += buf.length;
    if (size > limit) {
      body.destroy();
      if (!truncate) return null;
      break;
    }
  }
  return Buffer.concat(chunks).toString(encoding, 0, Math.min(size, limit));
}

/**
 * The one place requests go out: one undici Agent (a keep-alive pool per origin), the Hub headers
 * only where they belong, bodies streamed with an explicit Content-Length, and every failure
 * classified into a HubError before it leaves.
 */
export class HubTransport {
  readonly endpoint: string;
  readonly #origin: string;
  readonly #token: () => Promise<string>;
  readonly #userAgent: string;
  readonly #agent: Agent;
  readonly #onRedirect: ((from: string, to: string) => void) | undefined;

  constructor(options: HubTransportOptions) {
    this.endpoint = options.endpoint;
    this.#origin = new URL(options.endpoint).origin;
    this.#token = options.token;
    this.#userAgent = options.userAgent;
    this.#onRedirect = options.onRedirect;
    this.#agent = new Agent({
      connections: options.connections,
      connectTimeout: options.connectTimeoutMs,
      headersTimeout: options.headersTimeoutMs,
      bodyTimeout: options.bodyTimeoutMs,
    });
  }

  /**
   * Sends, following the redirects the Hub answers for a renamed or moved repo (301/302/307/308,
   * Hub API calls only, at most 5 hops). A hop to another origin is refused before anything is
   * sent there: the token goes to the endpoint's own origin only. A body that cannot be sent twice
   * (a streamed commit) is not re-sent: the call fails retryable, and the caller, told of the
   * redirect, sends the next attempt to the new URL.
   */
  async send(req: TransportRequest): Promise<TransportResponse> {
    let current = req;
    const seen = new Set<string>([req.url]);
    for (let hop = 0; ; hop++) {
      const answer = await this.#sendOnce(current);
      if (!("location" in answer)) return answer;
      const target = new URL(answer.location, current.url).toString();
      const fail = (why: string, retryable = false) =>
        new HubError(
          "ERR_HUB_REDIRECT",
          `The Hub redirected ${current.operation} (${answer.status}) ${why}.`,
          {
            status: answer.status,
            retryable,
          },
        );
      if (new URL(target).origin !== this.#origin) {
        throw fail(
          `to another origin (${new URL(target).origin}); hubpush sends the token only to ${this.#origin}, so it does not follow: check --endpoint`,
        );
      }
      if (seen.has(target) || hop >= MAX_REDIRECTS) {
        throw fail(
          `in a loop or more than ${MAX_REDIRECTS} times (last: ${new URL(target).pathname}); report it to the Hub`,
        );
      }
      seen.add(target);
      this.#onRedirect?.(current.url, target);
      if (current.body !== undefined && "bytes" in current.body && !Buffer.isBuffer(current.body.bytes)) {
        throw fail(`to ${new URL(target).pathname}; the request is sent there on the next attempt`, true);
      }
      current = { ...current, url: target };
    }
  }

  async #sendOnce(req: TransportRequest): Promise<TransportResponse | { status: number; location: string }> {
    const url = new URL(req.url);
    const context: HubCallContext = {
      ...req.context,
      endpoint: this.endpoint,
      operation: req.operation,
      presigned: !req.hub,
      target: `${url.origin}${url.pathname}`,
    };
    const headers: Record<string, string> = {};
    let token: string | undefined;
    if (req.hub) {
      headers["user-agent"] = this.#userAgent;
      // Presigned URLs can sit on the Hub's host too; they never get here with hub = true.
      if (url.origin === this.#origin) {
        token = await this.#readToken();
        headers.authorization = `Bearer ${token}`;
      }
    }
    for (const [name, value] of Object.entries(req.headers ?? {})) headers[name.toLowerCase()] = value;

    const state: BodyState = { sent: req.body === undefined, sourceError: undefined };
    let body: Readable | AsyncIterable<Buffer> | undefined;
    if (req.body !== undefined) {
      const bytes = "json" in req.body ? Buffer.from(JSON.stringify(req.body.json)) : req.body.bytes;
      const length = "json" in req.body ? (bytes as Buffer).length : req.body.length;
      headers["content-length"] = String(length);
      const contentType = req.body.contentType ?? ("json" in req.body ? "application/json" : undefined);
      if (contentType !== undefined) headers["content-type"] ??= contentType;
      if ("pulled" in req.body && req.body.pulled === true && !(bytes instanceof Readable)) {
        body = pulledBody(bytes, state);
      } else {
        const stream = Readable.from(tracked(bytes, state), { objectMode: false });
        // 'end' fires once undici has read (and written to the socket) the last byte.
        stream.once("end", () => {
          state.sent = true;
        });
        body = stream;
      }
    }

    const aborted = () => req.signal?.aborted === true;
    // A caller's stream that undici never started reading would keep its file descriptor open.
    const source = req.body !== undefined && "bytes" in req.body ? req.body.bytes : undefined;
    const release = () => {
      if (source instanceof Readable && !source.destroyed) source.destroy();
    };
    let res: Awaited<ReturnType<typeof request>>;
    // undici adds a listener per request: a child signal keeps the job's signal at one listener.
    const call = childSignal(req.signal);
    try {
      res = await request(url, {
        dispatcher: this.#agent,
        method: req.method,
        headers,
        // undici takes async iterables (its request.js), though its types do not list them.
        body: (body ?? null) as Readable | null,
        signal: call.signal ?? null,
        ...(req.headersTimeoutMs === undefined ? {} : { headersTimeout: req.headersTimeoutMs }),
      });
    } catch (error) {
      call.dispose();
      release();
      if (state.sourceError !== undefined) throw sourceFailure(state.sourceError, context);
      throw classifyNetworkError({ error, bodySent: state.sent, aborted: aborted() }, context, token);
    }

    release();
    const status = res.statusCode;
    const location = headerValue(res.headers, "location");
    if (req.hub && REDIRECTS.has(status) && location !== undefined) {
      await res.body.dump().catch(() => undefined);
      call.dispose();
      return { status, location };
    }
    const ok = (status >= 200 && status < 300) || (req.accept ?? []).includes(status);
    let text: string | null;
    try {
      text = await readText(
        res.body,
        ok ? MAX_ANSWER_BYTES : MAX_ERROR_BYTES,
        !ok,
        ok ? req.encoding : "utf8",
      );
    } catch (error) {
      throw classifyNetworkError({ error, bodySent: true, aborted: aborted(), status }, context, token);
    } finally {
      call.dispose();
    }
    if (text === null) throw protocolError(context, `the answer is larger than ${MAX_ANSWER_BYTES} bytes`);
    if (!ok) throw classifyResponse({ status, headers: res.headers, text }, context, token);
    return { status, headers: res.headers, text, context };
  }

  /** Sends and parses a JSON answer; a body that is not JSON is ERR_HUB_PROTOCOL. */
  async sendJson(req: TransportRequest): Promise<{ json: unknown; response: TransportResponse }> {
    const response = await this.send(req);
    try {
      return { json: JSON.parse(response.text) as unknown, response };
    } catch {
      const start = response.text.slice(0, 80).replace(/\s+/g, " ");
      throw protocolError(
        response.context,
        `the answer is not JSON (status ${response.status}, starts with "${start}")`,
      );
    }
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }

  async #readToken(): Promise<string> {
    try {
      return await this.#token();
    } catch (err) {
      throw toHubpushError(err, "ERR_TOKEN_MISSING");
    }
  }
}

/** The caller's body failed (unreadable file, integrity check): not the Hub's fault. */
function sourceFailure(err: unknown, context: HubCallContext): HubpushError {
  if (err instanceof HubpushError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new HubpushError(
    "ERR_FILE_UNREADABLE",
    `The data for ${context.operation} could not be read: ${message}`,
    { cause: err, details: { operation: context.operation, target: context.target } },
  );
}
