/**
 * The file ids one scan generation has seen, as a bitmap over row ids (1,000,000 files ≈ 125 KB).
 * It lets a scan leave unchanged rows unwritten: rewriting `seen_generation` on every row made a
 * restart over committed files write the whole files table (rows of ~1 KB with hashes and sample)
 * to the WAL again (issue 16). Only ids of committed transactions are added.
 */
export class SeenIds {
  #bits = new Uint8Array(1024);
  #count = 0;

  /** Distinct ids added. */
  get count(): number {
    return this.#count;
  }

  add(id: number): void {
    const byte = id >>> 3;
    if (byte >= this.#bits.length) {
      const grown = new Uint8Array(Math.max(byte + 1, this.#bits.length * 2));
      grown.set(this.#bits);
      this.#bits = grown;
    }
    const old = this.#bits[byte] ?? 0;
    const bit = 1 << (id & 7);
    if ((old & bit) !== 0) return;
    this.#bits[byte] = old | bit;
    this.#count += 1;
  }

  has(id: number): boolean {
    const byte = id >>> 3;
    return byte < this.#bits.length && ((this.#bits[byte] ?? 0) & (1 << (id & 7))) !== 0;
  }
}
