import type { IncomingMessage } from "node:http";
import { HubpushError } from "../common/hubpush-error.js";

/** Control request bodies are small JSON objects; anything larger is refused before it is buffered. */
export const MAX_BODY_BYTES = 1024 * 1024;

function tooLarge(limit: number): HubpushError {
  return new HubpushError(
    "ERR_CONTROL_BODY_TOO_LARGE",
    `the request body is over ${limit} bytes: control requests are small JSON objects`,
  );
}

/** Reads the whole body (at most `limit` bytes) and parses it as JSON; an empty body is `{}`. */
export async function readJsonBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<unknown> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) throw tooLarge(limit);
    chunks.push(buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new HubpushError(
      "ERR_CONTROL_BAD_REQUEST",
      `the request body is not valid JSON (${(err as Error).message})`,
    );
  }
}
