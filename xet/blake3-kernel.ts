import { at, op, section, uleb, v, vec, WASM_MAGIC_V1 } from "./wasm-emit.js";

/**
 * The BLAKE3 compression kernel as a WebAssembly module generated at load time: four 1 KiB BLAKE3
 * chunks are compressed at once, one per i32x4 lane — the same idea as the official
 * implementations' "hash many" (BLAKE3 paper §5.3). blake3-simd.ts drives the tree around it.
 *
 * The module has three functions over its own memory (layout below):
 *   chunks4(in, counter, out, flags): the chaining values of the four full chunks at in, in+1024, …
 *     with chunk counters counter … counter+3, written as 4 × 32 bytes at out;
 *   parents4(in, 0, out, flags): four parent nodes from the 4 × 64 bytes at in (pairs of chaining
 *     values), written as 4 × 32 bytes at out;
 *   compress1(cv, block, counterLo, counterHi, blockLen, flags, out): one scalar compression
 *     (§2.2 of the BLAKE3 spec), its 8-word result at out (out may equal cv).
 */

const IV = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
const PERMUTATION = [2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8];
export const CHUNK_START = 1;
export const CHUNK_END = 2;
export const PARENT = 4;
export const ROOT = 8;
export const KEYED_HASH = 16;

/** Memory layout (bytes). */
export const KEY_AT = 0;
export const SCRATCH_AT = 64; // one zero-padded partial block
export const OUT_AT = 128;
export const CV_AT = 1024; // up to 128 chaining values
export const IN_AT = 8192;
/** Largest input hashed here (the Xet chunk maximum); larger inputs go to the caller's fallback. */
export const SIMD_MAX_INPUT = 131_072;
const PAGES = Math.ceil((IN_AT + SIMD_MAX_INPUT + 64) / 65_536);

/** The eight G calls of one round (column then diagonal), with their message word slots. */
const G_CALLS: readonly (readonly [number, number, number, number, number, number])[] = [
  [0, 4, 8, 12, 0, 1],
  [1, 5, 9, 13, 2, 3],
  [2, 6, 10, 14, 4, 5],
  [3, 7, 11, 15, 6, 7],
  [0, 5, 10, 15, 8, 9],
  [1, 6, 11, 12, 10, 11],
  [2, 7, 8, 13, 12, 13],
  [3, 4, 9, 14, 14, 15],
];

/**
 * The seven rounds over state locals s[0..15] and message locals m[0..15]; `vector` selects i32x4
 * or i32 ops. The message permutation is applied at generation time by renaming locals.
 */
function rounds(s: readonly number[], m: readonly number[], vector: boolean): number[] {
  const code: number[] = [];
  const add = vector ? v.add : op.add;
  const xor = vector ? v.xor : op.xor;
  const rotr = (x: number, n: number): number[] => {
    if (!vector) return [...op.get(x), ...op.i32(n), ...op.rotr, ...op.set(x)];
    if (n === 16 || n === 8)
      return [...op.get(x), ...op.get(x), ...v.rotrBytes(n === 16 ? 2 : 1), ...op.set(x)];
    return [
      ...op.get(x),
      ...op.i32(n),
      ...v.shrU,
      ...op.get(x),
      ...op.i32(32 - n),
      ...v.shl,
      ...v.or,
      ...op.set(x),
    ];
  };
  // a = a + b + mx; d = rotr(d ^ a, n)
  const half = (a: number, b: number, c: number, d: number, mx: number, r1: number, r2: number) => [
    ...op.get(a),
    ...op.get(b),
    ...add,
    ...op.get(mx),
    ...add,
    ...op.set(a),
    ...op.get(d),
    ...op.get(a),
    ...xor,
    ...op.set(d),
    ...rotr(d, r1),
    ...op.get(c),
    ...op.get(d),
    ...add,
    ...op.set(c),
    ...op.get(b),
    ...op.get(c),
    ...xor,
    ...op.set(b),
    ...rotr(b, r2),
  ];
  let schedule = Array.from({ length: 16 }, (_, i) => i);
  for (let r = 0; r < 7; r++) {
    for (const [a, b, c, d, x, y] of G_CALLS) {
      const [sa, sb, sc, sd] = [at(s, a), at(s, b), at(s, c), at(s, d)];
      code.push(...half(sa, sb, sc, sd, at(m, at(schedule, x)), 16, 12));
      code.push(...half(sa, sb, sc, sd, at(m, at(schedule, y)), 8, 7));
    }
    const previous = schedule;
    schedule = PERMUTATION.map((p) => at(previous, p));
  }
  return code;
}

/** i8x16.shuffle picking four i32 lanes of (x, y): lanes 0..3 are x's, 4..7 are y's. */
function shuffle32(lanes: readonly [number, number, number, number]): number[] {
  return op.simd(0x0d, ...lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3]));
}

/**
 * Four compressions side by side, lane k reading its blocks at in + stride·k: `blocks` blocks each
 * (16 = one full BLAKE3 chunk, with CHUNK_START / CHUNK_END on the first / last; 1 = a parent node,
 * the block being two chaining values). Lane k's counter is counter + step·k. Writes the four
 * 8-word results at out, out+32, …; every load happens before any store, so out may overlap in.
 * Params (in, counter, out, flags); locals: 3 i32 (block, blockFlags, base), 48 v128.
 */
function lanesBody(stride: number, blocks: number, step: number): number[] {
  const [IN, COUNTER, OUT, FLAGS, BLOCK, BFLAGS, BASE] = [0, 1, 2, 3, 4, 5, 6];
  const h = Array.from({ length: 8 }, (_, i) => 7 + i);
  const s = Array.from({ length: 16 }, (_, i) => 15 + i);
  const m = Array.from({ length: 16 }, (_, i) => 31 + i);
  const r = Array.from({ length: 4 }, (_, i) => 47 + i);
  const t = Array.from({ length: 4 }, (_, i) => 51 + i);
  const code: number[] = [];
  for (let w = 0; w < 8; w++)
    code.push(...op.i32(KEY_AT), ...op.load(4 * w), ...v.splat, ...op.set(at(h, w)));
  code.push(...op.i32(0), ...op.set(BLOCK));
  code.push(0x03, 0x40); // loop
  code.push(...op.get(FLAGS));
  if (blocks > 1) {
    // | (block == 0 ? CHUNK_START : 0) | (block == blocks-1 ? CHUNK_END : 0)
    code.push(...op.get(BLOCK), ...op.i32(0), ...op.eq, ...op.or);
    code.push(...op.get(BLOCK), ...op.i32(blocks - 1), ...op.eq, ...op.i32(1), ...op.shl, ...op.or);
  }
  code.push(...op.set(BFLAGS));
  code.push(...op.get(IN), ...op.get(BLOCK), ...op.i32(6), ...op.shl, ...op.add, ...op.set(BASE));
  // Message words 4g..4g+3 of the four lanes: four 16-byte loads, then a 4×4 transpose.
  for (let g = 0; g < 4; g++) {
    for (let k = 0; k < 4; k++)
      code.push(...op.get(BASE), ...op.vload(stride * k + 16 * g), ...op.set(at(r, k)));
    const pair = (x: number, y: number, lanes: [number, number, number, number], into: number) =>
      code.push(...op.get(x), ...op.get(y), ...shuffle32(lanes), ...op.set(into));
    pair(at(r, 0), at(r, 1), [0, 4, 1, 5], at(t, 0));
    pair(at(r, 0), at(r, 1), [2, 6, 3, 7], at(t, 1));
    pair(at(r, 2), at(r, 3), [0, 4, 1, 5], at(t, 2));
    pair(at(r, 2), at(r, 3), [2, 6, 3, 7], at(t, 3));
    pair(at(t, 0), at(t, 2), [0, 1, 4, 5], at(m, 4 * g));
    pair(at(t, 0), at(t, 2), [2, 3, 6, 7], at(m, 4 * g + 1));
    pair(at(t, 1), at(t, 3), [0, 1, 4, 5], at(m, 4 * g + 2));
    pair(at(t, 1), at(t, 3), [2, 3, 6, 7], at(m, 4 * g + 3));
  }
  for (let i = 0; i < 8; i++) code.push(...op.get(at(h, i)), ...op.set(at(s, i)));
  for (let i = 0; i < 4; i++) code.push(...op.i32(at(IV, i)), ...v.splat, ...op.set(at(s, 8 + i)));
  // s12 = counter + step·lane, s13 = 0 (counters stay below 2^32), s14 = 64, s15 = block flags
  code.push(...op.get(COUNTER), ...v.splat);
  for (let k = 1; k < 4; k++) code.push(...op.get(COUNTER), ...op.i32(step * k), ...op.add, ...v.replace(k));
  code.push(...op.set(at(s, 12)));
  code.push(...op.i32(0), ...v.splat, ...op.set(at(s, 13)));
  code.push(...op.i32(64), ...v.splat, ...op.set(at(s, 14)));
  code.push(...op.get(BFLAGS), ...v.splat, ...op.set(at(s, 15)));
  code.push(...rounds(s, m, true));
  for (let i = 0; i < 8; i++)
    code.push(...op.get(at(s, i)), ...op.get(at(s, i + 8)), ...v.xor, ...op.set(at(h, i)));
  // block += 1; continue while block < blocks
  code.push(
    ...op.get(BLOCK),
    ...op.i32(1),
    ...op.add,
    ...op.tee(BLOCK),
    ...op.i32(blocks),
    ...op.ltu,
    ...op.brIf(0),
  );
  code.push(0x0b); // end loop
  for (let k = 0; k < 4; k++) {
    for (let w = 0; w < 8; w++)
      code.push(...op.get(OUT), ...op.get(at(h, w)), ...v.extract(k), ...op.store(32 * k + 4 * w));
  }
  code.push(0x0b);
  const locals = [2, ...uleb(3), 0x7f, ...uleb(48), 0x7b];
  return [...locals, ...code];
}

/** compress1(cv, block, counterLo, counterHi, blockLen, flags, out); 7 params, 32 i32 locals. */
function compress1Body(): number[] {
  const [CV, BLOCK, LO, HI, LEN, FLAGS, OUT] = [0, 1, 2, 3, 4, 5, 6];
  const s = Array.from({ length: 16 }, (_, i) => 7 + i);
  const m = Array.from({ length: 16 }, (_, i) => 23 + i);
  const code: number[] = [];
  for (let w = 0; w < 16; w++) code.push(...op.get(BLOCK), ...op.load(4 * w), ...op.set(m[w] as number));
  for (let w = 0; w < 8; w++) code.push(...op.get(CV), ...op.load(4 * w), ...op.set(s[w] as number));
  for (let i = 0; i < 4; i++) code.push(...op.i32(IV[i] as number), ...op.set(s[8 + i] as number));
  code.push(...op.get(LO), ...op.set(s[12] as number), ...op.get(HI), ...op.set(s[13] as number));
  code.push(...op.get(LEN), ...op.set(s[14] as number), ...op.get(FLAGS), ...op.set(s[15] as number));
  code.push(...rounds(s, m, false));
  for (let i = 0; i < 8; i++) {
    code.push(
      ...op.get(OUT),
      ...op.get(s[i] as number),
      ...op.get(s[i + 8] as number),
      ...op.xor,
      ...op.store(4 * i),
    );
  }
  code.push(0x0b);
  return [1, ...uleb(32), 0x7f, ...code];
}

function moduleBytes(): Uint8Array {
  const name = (s: string) => [...uleb(s.length), ...Buffer.from(s, "latin1")];
  const types = vec([
    [0x60, 4, 0x7f, 0x7f, 0x7f, 0x7f, 0],
    [0x60, 7, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0],
  ]);
  const bodies = [lanesBody(1024, 16, 1), lanesBody(64, 1, 0), compress1Body()].map((b) => [
    ...uleb(b.length),
    ...b,
  ]);
  return Uint8Array.from([
    ...WASM_MAGIC_V1,
    ...section(1, types),
    ...section(3, vec([[0], [0], [1]])),
    ...section(5, vec([[0x00, ...uleb(PAGES)]])),
    ...section(
      7,
      vec([
        [...name("memory"), 0x02, 0],
        [...name("chunks4"), 0x00, 0],
        [...name("parents4"), 0x00, 1],
        [...name("compress1"), 0x00, 2],
      ]),
    ),
    ...section(10, vec(bodies)),
  ]);
}

export interface Blake3Exports {
  readonly memory: { readonly buffer: ArrayBuffer };
  readonly chunks4: (input: number, counter: number, out: number, flags: number) => void;
  readonly parents4: (input: number, counter: number, out: number, flags: number) => void;
  readonly compress1: (
    cv: number,
    block: number,
    lo: number,
    hi: number,
    len: number,
    flags: number,
    out: number,
  ) => void;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { readonly exports: unknown };
  validate(bytes: Uint8Array): boolean;
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

let compiled: object | null | undefined;

/** The compiled module, or null where WebAssembly SIMD is missing (callers then use hash-wasm). */
function simdModule(): object | null {
  if (compiled === undefined) {
    const bytes = moduleBytes();
    compiled = wasm.validate(bytes) ? new wasm.Module(bytes) : null;
  }
  return compiled;
}

/** A fresh instance of the kernel (its own memory), or null where WebAssembly SIMD is missing. */
export function newKernel(): Blake3Exports | null {
  const module = simdModule();
  return module ? (new wasm.Instance(module).exports as Blake3Exports) : null;
}
