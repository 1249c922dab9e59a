import type { RequestContext } from "./emulator-state.js";
import { HubError } from "./hub-error.js";
import { bodyChunks, readBody } from "./read-body.js";
import type { BufferPool } from "./xet-buffer-pool.js";

/** Bodies smaller than this are read the ordinary way: a pooled buffer only pays off on big xorbs. */
export const POOL_FROM_BYTES = 256 * 1024;

/** A request body held in a pooled buffer: `bytes` is a view of it until release(). */
export interface PooledBody {
  readonly bytes: Buffer;
  /** Gives the buffer back; `bytes` must not be used after. Idempotent. */
  release(): void;
}

/**
 * Reads the request body (at most `limit` ≤ the pool's size, else 413 as readBody does) into a
 * pooled buffer when its Content-Length is known and big, else as readBody does.
 */
export async function readPooledBody(
  ctx: RequestContext,
  pool: BufferPool,
  limit: number,
): Promise<PooledBody> {
  const declared = Number(ctx.req.headers["content-length"] ?? "-1");
  if (!(declared >= POOL_FROM_BYTES && declared <= limit && limit <= pool.size)) {
    const bytes = await readBody(ctx, limit);
    return { bytes, release: () => {} };
  }
  const buffer = pool.acquire();
  let done = false;
  const release = (): void => {
    if (done) return;
    done = true;
    pool.release(buffer);
  };
  let size = 0;
  try {
    for await (const piece of bodyChunks(ctx)) {
      ctx.bytesIn += piece.length;
      // The HTTP parser stops at Content-Length, so this only guards the limit itself.
      if (size + piece.length > limit)
        throw new HubError(413, "PayloadTooLarge", `Request body is larger than ${limit} bytes.`);
      piece.copy(buffer, size);
      size += piece.length;
    }
  } catch (err) {
    release();
    throw err;
  }
  return { bytes: buffer.subarray(0, size), release };
}
