/**
 * Reusable buffers of one size: the largest xorb the CAS accepts for xorb bodies, 8 MiB for the
 * slices of stored xorbs the LFS bridge reads back at shard registration. A fresh 64 MiB buffer per xorb
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
}
