import type { RequestContext } from "./emulator-state.js";
import { HubError } from "./hub-error.js";
import { bodyChunks, readBody } from "./read-body.js";

/** Bodies smaller than this are read the ordinary way: a pooled buffer only pays off on big xorbs. */
export const POOL_FROM_BYTES = 256 * 1024;

/** A request body held in a pooled buffer: `bytes` is a view of it until release(). */
export interface PooledBody {
  readonly bytes: Buffer;
  /** Gives the buffer back; `bytes` must not be used after. Idempotent. */
  release(): void;
}

/**
 * Reusable buffers of one size (the largest xorb the CAS accepts) for xorb bodies and for the
 * xorb ranges the LFS bridge reads back at shard registration. A fresh 64 MiB buffer per xorb
 * (Buffer.concat of the request's pieces, readFileSync of the stored xorb) cost a page fault per
 * 4 KiB on first touch and a munmap when collected: more CPU than the copy itself, on the cores
 * the client shares in W2x. A buffer that is reused keeps its pages.
 */
export class BufferPool {
  readonly #free: Buffer[] = [];

  /** `keep`: buffers kept when idle (more may exist while more requests run at once). */
  constructor(
    readonly size: number,
    private readonly keep: number,
  ) {}

  acquire(): Buffer {
    return this.#free.pop() ?? Buffer.allocUnsafeSlow(this.size);
  }

  release(buffer: Buffer): void {
    if (buffer.length === this.size && this.#free.length < this.keep) this.#free.push(buffer);
  }

  /**
   * Reads the request body (at most `limit` ≤ size bytes, else 413 as readBody does) into a pooled
   * buffer when its Content-Length is known and big, else as readBody does.
   */
  async readBody(ctx: RequestContext, limit: number): Promise<PooledBody> {
    const declared = Number(ctx.req.headers["content-length"] ?? "-1");
    if (!(declared >= POOL_FROM_BYTES && declared <= limit && limit <= this.size)) {
      const bytes = await readBody(ctx, limit);
      return { bytes, release: () => {} };
    }
    const buffer = this.acquire();
    let done = false;
    const release = (): void => {
      if (done) return;
      done = true;
      this.release(buffer);
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
}
