import type { ServerResponse } from "node:http";

export interface TapOptions {
  /** Called once, when the response ends (or is cut / lost): status (0 if lost) and body bytes sent. */
  readonly onFinish: (status: number, bytesOut: number) => void;
  /** `cut` fault: send headers and only this many body bytes, then destroy the socket. */
  readonly cutAfter?: number;
  /** `lost` fault: the handler runs fully, then the socket is destroyed instead of answering. */
  readonly lost?: boolean;
}

type Chunk = string | Uint8Array;

function toBuffer(chunk: Chunk, encoding: unknown): Buffer {
  if (typeof chunk === "string")
    return Buffer.from(chunk, typeof encoding === "string" ? (encoding as BufferEncoding) : "utf8");
  return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/**
 * Wraps `res.write`/`res.end` (streams piped into `res` go through them too) to count body bytes,
 * report the end of the response, and apply the `cut` and `lost` faults.
 */
export function tapResponse(res: ServerResponse, options: TapOptions): void {
  const origWrite = res.write.bind(res);
  const origEnd = res.end.bind(res);
  const origWriteHead = res.writeHead.bind(res);
  let bytes = 0;
  let finished = false;
  let dead = false;
  const finish = (status: number) => {
    if (finished) return;
    finished = true;
    options.onFinish(status, bytes);
  };
  const kill = () => {
    dead = true;
    res.socket?.destroy();
  };
  /** Passes a chunk on, unless a fault swallows (lost) or truncates (cut) it; true when passed whole. */
  const pass = (chunk: Chunk | undefined, encoding: unknown): boolean => {
    if (dead) return false;
    if (chunk === undefined || chunk.length === 0) return true;
    if (options.lost) return false;
    const buf = toBuffer(chunk, encoding);
    const limit = options.cutAfter;
    if (limit !== undefined && bytes + buf.length > limit) {
      const keep = buf.subarray(0, limit - bytes);
      bytes += keep.length;
      if (keep.length > 0) origWrite(keep);
      else res.flushHeaders();
      finish(res.statusCode);
      dead = true;
      const socket = res.socket;
      socket?.destroySoon();
      return false;
    }
    bytes += buf.length;
    return true;
  };

  res.writeHead = ((...args: Parameters<typeof res.writeHead>) => {
    if (options.lost || dead) return res;
    return origWriteHead(...args);
  }) as typeof res.writeHead;

  res.write = ((chunk: Chunk, encoding?: unknown, cb?: unknown) => {
    if (!pass(chunk, encoding)) return true;
    return origWrite(chunk, encoding as BufferEncoding, cb as (err?: Error | null) => void);
  }) as typeof res.write;

  res.end = ((chunk?: unknown, encoding?: unknown, cb?: unknown) => {
    const data = typeof chunk === "function" ? undefined : (chunk as Chunk | undefined);
    if (!pass(data, encoding) || options.lost) {
      if (options.lost && !dead) {
        finish(0);
        kill();
      }
      return res;
    }
    finish(res.statusCode);
    if (data === undefined) return origEnd(typeof chunk === "function" ? (chunk as () => void) : undefined);
    return origEnd(data, encoding as BufferEncoding, cb as () => void);
  }) as typeof res.end;

  res.on("close", () => {
    // Client went away or a fault destroyed the socket: still log the request.
    finish(res.headersSent && !options.lost ? res.statusCode : 0);
  });
}
