import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { HubpushError } from "../common/hubpush-error.js";

/** The header that carries the page's token (the only way for a POST). */
export const UI_TOKEN_HEADER = "x-hubpush-token";

function sameToken(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function unauthorized(message: string): HubpushError {
  return new HubpushError("ERR_UI_UNAUTHORIZED", message);
}

function forbidden(message: string): HubpushError {
  return new HubpushError("ERR_CONTROL_FORBIDDEN", message);
}

/**
 * Checks one request to the status page; throws when it must be refused.
 * - Host must name the loopback address and our port (a DNS-rebinding page has another Host).
 * - An Origin, when sent, must be the page's own; browsers send it on every cross-origin request
 *   and on every POST, so another site cannot call the API (no CORS headers are ever sent either).
 * - The token is checked on every request; a GET may carry it in the query (the URL `hubpush ui`
 *   prints, the page's assets and the event stream), a POST only in the X-Hubpush-Token header, so
 *   a form or a link from elsewhere cannot act.
 */
export function checkUiRequest(req: IncomingMessage, url: URL, token: string, port: number): void {
  const allowedHosts = [`127.0.0.1:${port}`, `localhost:${port}`];
  const host = (req.headers.host ?? "").toLowerCase();
  if (!allowedHosts.includes(host)) {
    throw forbidden(`the status page answers only on http://127.0.0.1:${port}/ (Host was "${host}")`);
  }
  const origin = req.headers.origin;
  if (origin !== undefined && !allowedHosts.some((h) => origin === `http://${h}`)) {
    throw forbidden(
      "requests from another origin are refused: open the page from the URL `hubpush ui` prints",
    );
  }
  const header = req.headers[UI_TOKEN_HEADER];
  const fromHeader = typeof header === "string" ? header : null;
  const fromQuery = url.searchParams.get("token");
  if (req.method === "POST") {
    if (fromHeader === null) {
      throw unauthorized("actions need the token in the X-Hubpush-Token header (never in the URL)");
    }
    if (!sameToken(fromHeader, token))
      throw unauthorized("the token is wrong or old: run `hubpush ui` for the current URL");
    return;
  }
  const given = fromHeader ?? fromQuery;
  if (given === null) throw unauthorized("the status page needs its token: open the URL `hubpush ui` prints");
  if (!sameToken(given, token))
    throw unauthorized("the token is wrong or old: run `hubpush ui` for the current URL");
}
