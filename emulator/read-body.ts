import type { RequestContext } from "./emulator-state.js";
import { HubError } from "./hub-error.js";

function tooLarge(limit: number): HubError {
  return new HubError(413, "PayloadTooLarge", `Request body is larger than ${limit} bytes.`);
}

/**
 * The request body as chunks. Leaving the loop early must not destroy the request: that would
 * kill the socket before the error answer goes out (the dispatcher drains the rest instead).
 */
export function bodyChunks(ctx: RequestContext): AsyncIterable<Buffer> {
  return ctx.req.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>;
}

/** Reads the whole request body, refusing more than `limit` bytes with 413. */
export async function readBody(ctx: RequestContext, limit: number): Promise<Buffer> {
  const declared = Number(ctx.req.headers["content-length"] ?? "0");
  if (declared > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const buf of bodyChunks(ctx)) {
    size += buf.length;
    ctx.bytesIn += buf.length;
    if (size > limit) throw tooLarge(limit);
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

/** Reads and parses a JSON body (any content type); 400 `BadRequest` when it is not JSON. */
export async function readJsonBody(ctx: RequestContext): Promise<unknown> {
  const body = await readBody(ctx, ctx.state.config.jsonBodyMaxBytes);
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString("utf8")) as unknown;
  } catch {
    throw new HubError(400, "BadRequest", "Request body is not valid JSON.");
  }
}

/** Narrows an unknown JSON value to a plain object or throws 400. */
export function asObject(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new HubError(400, "BadRequest", `${what} must be a JSON object.`);
  }
  return value as Record<string, unknown>;
}
