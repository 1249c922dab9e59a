import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import type { AccessLog } from "./access-log.js";
import type { EmulatorState, RequestContext } from "./emulator-state.js";
import { CONFLICTING_OPERATION, type Fault } from "./fault-rules.js";
import { HubError } from "./hub-error.js";
import { matchRoute, type RouteMatch } from "./match-route.js";
import { namespacelessRepoError } from "./namespaceless-repo.js";
import { tapResponse } from "./response-tap.js";
import { ROUTE_HANDLERS } from "./route-handlers.js";
import { isHubError, sendHubError } from "./send-response.js";

const EXPOSED =
  "X-Repo-Commit, X-Request-Id, X-Error-Code, X-Error-Message, X-Total-Count, ETag, Link, Accept-Ranges, Content-Range, X-Linked-Etag, X-Linked-Size, X-Xet-Hash";

function newRequestId(req: IncomingMessage): string {
  const trace = req.headers["x-amzn-trace-id"];
  const tail = typeof trace === "string" && trace !== "" ? trace : randomBytes(12).toString("hex");
  return `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString("hex")};${tail}`;
}

/** Bodies up to this size are drained before an early answer; beyond it the connection is closed. */
const DRAIN_MAX_BYTES = 4 * 1024 * 1024 * 1024;

/**
 * Before answering early (an error, or a fault) the unread request body is drained, so the client
 * can finish sending and then read the answer on an intact connection. A body too large to be
 * worth draining gets `Connection: close` instead.
 */
async function drainBody(ctx: RequestContext): Promise<void> {
  const { req } = ctx;
  if (req.complete || req.destroyed || req.readableEnded) return;
  const declared = Number(req.headers["content-length"] ?? "0");
  if (declared > DRAIN_MAX_BYTES) {
    ctx.res.setHeader("Connection", "close");
    req.resume();
    return;
  }
  const done = new Promise<void>((resolve) => {
    req.once("end", resolve);
    req.once("close", resolve);
    req.once("error", () => resolve());
  });
  req.resume();
  await done;
}

function logFailure(ctx: RequestContext, err: unknown): void {
  const detail = err instanceof Error ? err.stack : String(err);
  process.stderr.write(`hubpush emulator: ${ctx.req.method} ${ctx.url.pathname} failed: ${detail}\n`);
}

async function sendFailure(ctx: RequestContext, err: unknown): Promise<void> {
  if (ctx.res.headersSent || ctx.res.destroyed) {
    // Too late for an error answer: the client sees a broken response.
    const code = (err as { code?: unknown } | null)?.code;
    const clientGone = code === "ERR_STREAM_PREMATURE_CLOSE" || code === "ECONNRESET" || code === "EPIPE";
    if (!isHubError(err) && !clientGone) logFailure(ctx, err);
    ctx.res.destroy();
    return;
  }
  await drainBody(ctx);
  if (ctx.res.destroyed) return;
  if (isHubError(err)) {
    sendHubError(ctx, err);
    return;
  }
  logFailure(ctx, err);
  sendHubError(
    ctx,
    new HubError(500, "InternalError", `Internal error in the emulator (request ${ctx.requestId}).`),
  );
}

/** Applies a fault that answers instead of the handler; returns true when the request is done. */
async function answerFault(ctx: RequestContext, fault: Fault): Promise<boolean> {
  if (fault.kind === "reset") {
    ctx.res.destroy();
    ctx.req.socket.destroy();
    return true;
  }
  if (fault.kind === "busy") {
    await drainBody(ctx);
    sendHubError(ctx, new HubError(409, "ConflictingOperation", CONFLICTING_OPERATION));
    return true;
  }
  if (fault.kind === "status") {
    await drainBody(ctx);
    sendHubError(ctx, new HubError(fault.status, "InjectedFault", `Injected fault: status ${fault.status}.`));
    return true;
  }
  if (fault.kind === "ratelimit") {
    await drainBody(ctx);
    const t = String(fault.retryAfter);
    sendHubError(
      ctx,
      new HubError(
        429,
        "RateLimited",
        "You have been rate-limited (injected fault). Retry after the delay.",
        {
          headers: {
            "Retry-After": t,
            RateLimit: `"api";r=0;t=${t}`,
            "RateLimit-Policy": `"fixed window";"api";q=500;w=300`,
          },
        },
      ),
    );
    return true;
  }
  return false;
}

/** The HTTP request listener: routing, faults, access log, the error shape on every failure. */
export function createRequestHandler(
  state: EmulatorState,
  accessLog: AccessLog,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const started = performance.now();
    const url = new URL(req.url ?? "/", "http://emulator.invalid");
    const host = req.headers.host ?? `${state.config.host}`;
    const ctx: RequestContext = {
      state,
      req,
      res,
      url,
      requestId: newRequestId(req),
      baseUrl: state.config.publicUrl ?? `http://${host}`,
      bytesIn: 0,
      route: "unknown",
      repo: null,
      partNumber: null,
      oid: null,
    };
    let match: RouteMatch | null = null;
    let fault: Fault | null = null;
    try {
      match = matchRoute(req.method ?? "GET", url.pathname);
    } catch {
      match = null;
    }
    if (match) {
      ctx.route = match.route;
      if (match.repo) ctx.repo = `${match.repo.namespace}/${match.repo.name}`;
      ctx.partNumber = match.partNumber ?? null;
      ctx.oid = match.oid ?? null;
      fault = state.faults.pick(match.route);
    }
    tapResponse(res, {
      cutAfter: fault?.kind === "cut" ? fault.bytes : undefined,
      lost: fault?.kind === "lost",
      onFinish: (status, bytesOut) =>
        accessLog.write({
          time: new Date().toISOString(),
          method: req.method ?? "",
          path: url.pathname,
          route: ctx.route,
          status: fault?.kind === "reset" ? 0 : status,
          bytesIn: ctx.bytesIn,
          bytesOut,
          requestId: ctx.requestId,
          durationMs: Math.round((performance.now() - started) * 1000) / 1000,
          fault: fault?.kind ?? null,
          repo: ctx.repo,
          partNumber: ctx.partNumber,
          oid: ctx.oid,
        }),
    });
    res.setHeader("X-Request-Id", ctx.requestId);
    res.setHeader("Access-Control-Expose-Headers", EXPOSED);
    void run(ctx, match, fault)
      .catch((err: unknown) => sendFailure(ctx, err))
      .catch((err: unknown) => {
        logFailure(ctx, err);
        res.destroy();
      });
  };
}

async function run(ctx: RequestContext, match: RouteMatch | null, fault: Fault | null): Promise<void> {
  if (match === null) {
    throw (
      namespacelessRepoError(ctx) ??
      new HubError(404, "NotFound", `No emulator route for ${ctx.req.method} ${ctx.url.pathname}.`)
    );
  }
  if (fault && (await answerFault(ctx, fault))) return;
  if (fault?.kind === "latency") await sleep(fault.ms);
  await ROUTE_HANDLERS[match.route](ctx, match);
}
