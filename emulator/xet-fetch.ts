import { randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { pipeline } from "node:stream/promises";
import type { RequestContext } from "./emulator-state.js";
import { HubError } from "./hub-error.js";

/** An inclusive byte range of a stored xorb, as in `Range: bytes=a-b` and the §6.2 `bytes`. */
export interface ByteSpan {
  readonly start: number;
  readonly end: number;
}

/** The query value a fetch URL is signed with: `a-b,c-d,…` (the CDN's X-Xet-Signed-Range). */
export function signedRangeParam(spans: readonly ByteSpan[]): string {
  return spans.map((s) => `${s.start}-${s.end}`).join(",");
}

function parseSpans(text: string, what: string, size: number): ByteSpan[] {
  const spans = text.split(",").map((part) => {
    const m = /^\s*(\d+)-(\d+)\s*$/.exec(part);
    if (!m) throw new HubError(400, "BadRange", `Malformed ${what} "${text.slice(0, 200)}".`);
    return { start: Number(m[1]), end: Math.min(Number(m[2]), size - 1) };
  });
  for (const s of spans) {
    if (s.start > s.end) {
      throw new HubError(
        416,
        "RangeNotSatisfiable",
        `Range ${s.start}-${s.end} is outside the ${size}-byte xorb.`,
      );
    }
  }
  return spans;
}

/**
 * The spans a signed fetch answers: the Range header's (one or several, `bytes=a-b,c-d`, as
 * @huggingface/hub sends for an entry with several ranges), or all signed spans without a header.
 * Each must lie inside one signed span, else 403 (as a CDN refuses a range outside the signed ones).
 */
export function requestedSpans(ctx: RequestContext, hash: string, size: number): ByteSpan[] {
  const signed = parseSpans(ctx.url.searchParams.get("range") ?? "", "signed range", size);
  const header = ctx.req.headers.range;
  if (header === undefined) return signed;
  if (!header.startsWith("bytes="))
    throw new HubError(400, "BadRange", `Malformed Range header "${header}".`);
  const wanted = parseSpans(header.slice(6), "Range header", size);
  for (const w of wanted) {
    if (!signed.some((s) => w.start >= s.start && w.end <= s.end)) {
      throw new HubError(
        403,
        "RangeNotSigned",
        `Bytes ${w.start}-${w.end} of xorb ${hash} are outside the ranges this URL is signed for (${signedRangeParam(signed)}).`,
      );
    }
  }
  return wanted;
}

function pipeSpan(ctx: RequestContext, file: string, span: ByteSpan): Promise<void> {
  return pipeline(createReadStream(file, { start: span.start, end: span.end }), ctx.res, { end: false });
}

/**
 * 206 with the raw serialized bytes: one span as a plain body with Content-Range, several as
 * `multipart/byteranges` (RFC 9110 §14.6), one part per span in the order asked, never merged —
 * @huggingface/hub maps part k to range k and refuses any other content type.
 */
export async function sendSpans(
  ctx: RequestContext,
  file: string,
  size: number,
  spans: readonly ByteSpan[],
): Promise<void> {
  const length = (s: ByteSpan): number => s.end - s.start + 1;
  if (spans.length === 1) {
    const [s] = spans as [ByteSpan];
    ctx.res.writeHead(206, {
      "Content-Type": "application/octet-stream",
      "Content-Length": String(length(s)),
      "Content-Range": `bytes ${s.start}-${s.end}/${size}`,
    });
    await pipeSpan(ctx, file, s);
    ctx.res.end();
    return;
  }
  const boundary = `xet${randomBytes(12).toString("hex")}`;
  const heads = spans.map((s, i) =>
    Buffer.from(
      `${i === 0 ? "" : "\r\n"}--${boundary}\r\nContent-Type: application/octet-stream\r\nContent-Range: bytes ${s.start}-${s.end}/${size}\r\n\r\n`,
    ),
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const total = heads.reduce((n, h, i) => n + h.length + length(spans[i] as ByteSpan), tail.length);
  ctx.res.writeHead(206, {
    "Content-Type": `multipart/byteranges; boundary=${boundary}`,
    "Content-Length": String(total),
  });
  for (let i = 0; i < spans.length; i++) {
    ctx.res.write(heads[i]);
    await pipeSpan(ctx, file, spans[i] as ByteSpan);
  }
  ctx.res.end(tail);
}
