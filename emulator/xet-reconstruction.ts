import type { RequestContext } from "./emulator-state.js";
import { HubError } from "./hub-error.js";
import type { XetCas } from "./xet-cas.js";
import { signedRangeParam } from "./xet-fetch.js";
import type { StoredXorb } from "./xet-store.js";

/** Parses `Range: bytes=a-b | a- | -n` into a half-open [start, end) clamped to size; undefined = all. */
function byteRange(header: string | undefined, size: number): { start: number; end: number } {
  if (header === undefined) return { start: 0, end: size };
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === "" && m[2] === ""))
    throw new HubError(400, "BadRange", `Malformed Range header "${header}".`);
  const range =
    m[1] === ""
      ? { start: Math.max(0, size - Number(m[2])), end: size }
      : { start: Number(m[1]), end: m[2] === "" ? size : Math.min(size, Number(m[2]) + 1) };
  if (range.start >= size && size > 0) {
    throw new HubError(
      416,
      "RangeNotSatisfiable",
      `Range starts at ${range.start}, the file has ${size} bytes.`,
    );
  }
  return range;
}

interface Kept {
  readonly xorb: StoredXorb;
  readonly start: number;
  readonly end: number;
}

/**
 * The reconstruction answer of xet-protocol.md §6.2 (v2, or v1 with fetch_info): terms trimmed to the
 * requested range, and per xorb the merged chunk ranges with their serialized byte ranges (inclusive
 * ends) under one absolute, signed, token-less fetch URL (v1: one fetch_info entry per range).
 */
export function reconstruction(
  ctx: RequestContext,
  cas: XetCas,
  fileHash: string,
  version: "v1" | "v2",
): Record<string, unknown> {
  const file = cas.store.getFile(fileHash);
  if (!file) throw new HubError(404, "FileNotFound", `Xet file ${fileHash} is not registered.`);
  const { start, end } = byteRange(ctx.req.headers.range, file.size);
  const kept: Kept[] = [];
  let offset = 0;
  let firstOffset: number | undefined;
  for (const t of file.terms) {
    const xorb = cas.store.getXorb(t.xorb) as StoredXorb;
    let s = -1;
    let e = -1;
    for (let i = t.start; i < t.end; i++) {
      const len = (xorb.chunks[i] as StoredXorb["chunks"][0])[1];
      if (offset + len > start && offset < end) {
        if (s < 0) {
          s = i;
          firstOffset ??= offset;
        }
        e = i + 1;
      }
      offset += len;
    }
    if (s >= 0) kept.push({ xorb, start: s, end: e });
  }
  const terms = kept.map((k) => ({
    hash: k.xorb.hash,
    unpacked_length: k.xorb.chunks.slice(k.start, k.end).reduce((sum, c) => sum + c[1], 0),
    range: { start: k.start, end: k.end },
  }));
  const merged = new Map<string, { start: number; end: number }[]>();
  for (const k of kept) {
    const list = merged.get(k.xorb.hash) ?? [];
    list.push({ start: k.start, end: k.end });
    merged.set(k.xorb.hash, list);
  }
  const xorbs: Record<string, unknown[]> = {};
  const fetchInfo: Record<string, unknown[]> = {};
  for (const [hash, ranges] of merged) {
    const xorb = cas.store.getXorb(hash) as StoredXorb;
    ranges.sort((a, b) => a.start - b.start);
    const joined: { start: number; end: number }[] = [];
    for (const r of ranges) {
      const last = joined[joined.length - 1];
      if (last && r.start <= last.end) last.end = Math.max(last.end, r.end);
      else joined.push({ ...r });
    }
    const spans = joined.map((r) => {
      const first = xorb.chunks[r.start] as StoredXorb["chunks"][0];
      const last = xorb.chunks[r.end - 1] as StoredXorb["chunks"][0];
      return { chunks: r, bytes: { start: first[2], end: last[2] + last[3] - 1 } };
    });
    // One URL per xorb signed for all its ranges (the CDN's X-Xet-Signed-Range), as the real CAS
    // answers: @huggingface/hub then fetches them in one multi-range request; a range outside the
    // signed ones is refused.
    const path = `/_xet/fetch/${hash}`;
    const signed = ctx.state.signer.sign(
      "GET",
      path,
      { range: signedRangeParam(spans.map((s) => s.bytes)) },
      3600,
    );
    const url = `${ctx.baseUrl}${signed}`;
    xorbs[hash] = [{ url, ranges: spans }];
    fetchInfo[hash] = spans.map((s) => ({ range: s.chunks, url, url_range: s.bytes }));
  }
  const head = { offset_into_first_range: firstOffset === undefined ? 0 : start - firstOffset, terms };
  return version === "v2" ? { ...head, xorbs } : { ...head, fetch_info: fetchInfo };
}
