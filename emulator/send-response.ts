import type { RequestContext } from "./emulator-state.js";
import { HubError } from "./hub-error.js";

/** Sends a JSON body with an exact Content-Length. */
export function sendJson(
  ctx: RequestContext,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = Buffer.from(JSON.stringify(body), "utf8");
  ctx.res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    ...headers,
    "Content-Length": String(text.length),
  });
  ctx.res.end(text);
}

/** Header values must be Latin-1 without control characters. */
function headerSafe(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, "?").slice(0, 1000);
}

/** Sends the Hub's error shape: `{"error"}` + `X-Error-Code` + `X-Error-Message` (+ X-Request-Id, set earlier). */
export function sendHubError(ctx: RequestContext, err: HubError): void {
  const lfsRoute = ctx.route.startsWith("lfs-");
  // git-lfs clients read `message`; Hub clients read `error`: LFS routes carry both.
  const body = { ...err.extraBody, error: err.message, ...(lfsRoute ? { message: err.message } : {}) };
  sendJson(ctx, err.status, body, {
    ...err.headers,
    "X-Error-Code": err.errorCode,
    "X-Error-Message": headerSafe(err.message),
  });
}

export function isHubError(err: unknown): err is HubError {
  return err instanceof HubError;
}
