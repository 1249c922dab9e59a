/**
 * A tiny WebAssembly emitter: LEB128 numbers, the opcodes (scalar i32 and SIMD v128) the BLAKE3
 * kernel uses, and module sections. Just enough to generate that kernel at load time
 * (blake3-kernel.ts) instead of shipping a binary.
 */

export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

export const op = {
  get: (i: number) => [0x20, ...uleb(i)],
  set: (i: number) => [0x21, ...uleb(i)],
  i32: (n: number) => [0x41, ...sleb(n | 0)],
  load: (offset: number) => [0x28, 2, ...uleb(offset)],
  vload: (offset: number) => [0xfd, 0x00, 4, ...uleb(offset)],
  tee: (i: number) => [0x22, ...uleb(i)],
  brIf: (depth: number) => [0x0d, ...uleb(depth)],
  shl: [0x74],
  store: (offset: number) => [0x36, 2, ...uleb(offset)],
  add: [0x6a],
  xor: [0x73],
  rotr: [0x78],
  or: [0x72],
  eq: [0x46],
  ltu: [0x49],
  simd: (code: number, ...imm: number[]) => [0xfd, ...uleb(code), ...imm],
};
export const v = {
  splat: op.simd(0x11),
  extract: (lane: number) => op.simd(0x1b, lane),
  replace: (lane: number) => op.simd(0x1c, lane),
  xor: op.simd(0x51),
  or: op.simd(0x50),
  shl: op.simd(0xab),
  shrU: op.simd(0xad),
  add: op.simd(0xae),
  /** Byte shuffle of one vector with itself: rotate every 32-bit lane right by 8 or 16 bits. */
  rotrBytes: (bytes: 1 | 2) =>
    op.simd(0x0d, ...Array.from({ length: 16 }, (_, i) => (i & ~3) + (((i & 3) + bytes) & 3))),
};

/** list[i], which exists by construction (strict index access). */
export function at(list: readonly number[], i: number): number {
  return list[i] as number;
}

export function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

export function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

export const WASM_MAGIC_V1 = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
