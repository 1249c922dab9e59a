import type { CommitOperation, CommitRequest } from "./hub-client.js";

export interface EncodedCommit {
  /** Exact byte length of the body, known before any line is built (sent as Content-Length). */
  readonly length: number;
  /** The NDJSON body, built lazily: at most one slice of one file's base64 exists at a time. */
  chunks(): Generator<Buffer>;
}

/** Input bytes per base64 slice; a multiple of 3 so slices concatenate into valid base64. */
const SLICE = 3 * 64 * 1024;
const COALESCE = 64 * 1024;

function base64Length(bytes: number): number {
  return 4 * Math.ceil(bytes / 3);
}

function headerLine(request: CommitRequest): string {
  const value: Record<string, string> = { summary: request.summary, description: request.description ?? "" };
  if (request.parentCommit !== undefined) value.parentCommit = request.parentCommit;
  return `${JSON.stringify({ key: "header", value })}\n`;
}

/** The line for every kind but `file`, and the text around the base64 content for `file`. */
function lineParts(op: CommitOperation): { before: string; after: string } {
  switch (op.kind) {
    case "file":
      return {
        before: '{"key":"file","value":{"content":"',
        after: `","path":${JSON.stringify(op.path)},"encoding":"base64"}}\n`,
      };
    case "lfsFile":
      return {
        before: `${JSON.stringify({ key: "lfsFile", value: { path: op.path, algo: "sha256", oid: op.oid, size: op.size } })}\n`,
        after: "",
      };
    case "deletedFile":
    case "deletedFolder":
      return { before: `${JSON.stringify({ key: op.kind, value: { path: op.path } })}\n`, after: "" };
  }
}

/**
 * The commit body (hub-protocol.md §6): the header line first, then one line per operation, every
 * line ending in `\n`. The length is computed from the parts (base64 length is arithmetic), so the
 * body can stream with a Content-Length without ever holding the encoded commit in memory.
 */
export function encodeCommit(request: CommitRequest): EncodedCommit {
  let length = Buffer.byteLength(headerLine(request));
  for (const op of request.operations) {
    const { before, after } = lineParts(op);
    length += Buffer.byteLength(before) + Buffer.byteLength(after);
    if (op.kind === "file") length += base64Length(op.content.length);
  }
  return {
    length,
    *chunks() {
      // Small lines are gathered into ~64 KiB writes instead of one socket write per line.
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      for (const piece of pieces(request)) {
        pending.push(piece);
        pendingBytes += piece.length;
        if (pendingBytes >= COALESCE) {
          yield pending.length === 1 && pending[0] !== undefined ? pending[0] : Buffer.concat(pending);
          pending = [];
          pendingBytes = 0;
        }
      }
      if (pendingBytes > 0) yield Buffer.concat(pending);
    },
  };
}

function* pieces(request: CommitRequest): Generator<Buffer> {
  yield Buffer.from(headerLine(request));
  for (const op of request.operations) {
    const { before, after } = lineParts(op);
    yield Buffer.from(before);
    if (op.kind !== "file") continue;
    for (let at = 0; at < op.content.length; at += SLICE) {
      yield Buffer.from(op.content.subarray(at, at + SLICE).toString("base64"), "latin1");
    }
    yield Buffer.from(after);
  }
}
