import { GEAR_HI, GEAR_LO } from "./gear-table.js";

/**
 * The gear-hash inner loop as a 147-byte WebAssembly module (one i64 per byte is what makes CDC
 * fast; the pure-TS loop on two 32-bit halves measured ≈ 110 MB/s, xet-protocol.md §2.4).
 * Assembled by hand from this text (memory: gear table at 0..2047, input after it):
 *
 *   global h: mut i64                                  ;; gear state, carried across calls
 *   func find(p, end, test) -> i32:
 *     loop while p < end:
 *       h = (h << 1) + i64.load(mem[p] * 8); p++
 *       if (h & 0xFFFF000000000000) == 0 and p > test: return p   ;; index after the cut byte
 *     return -1
 */
const WASM_BASE64 =
  "AGFzbQEAAAABCAFgA39/fwF/AwIBAAUDAQABBgYBfgFCAAsHFQMGbWVtb3J5AgABaAMABGZpbmQAAApXAVUBAX4jACEDAkADQCAAIAFPDQEgA0IBhiAALQAAQQN0KQMAfCEDIABBAWohACADQoCAgICAgECDUARAIAAgAksEQCADJAAgAA8LCwwACwsgAyQAQX8L";

const TABLE_BYTES = 2048;
const PAGE = 65_536;

/** The few WebAssembly APIs used here (lib ES2023 + @types/node 20 do not declare the namespace). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { readonly exports: unknown };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

interface GearExports {
  readonly memory: WasmMemory;
  readonly h: { value: bigint };
  readonly find: (p: number, end: number, test: number) => number;
}

/** A gear hasher over a private WASM memory: `load` copies input in, `find` scans it. */
export class GearScan {
  private readonly exports: GearExports;
  private bytes: Uint8Array;

  constructor() {
    const module = new wasm.Module(Buffer.from(WASM_BASE64, "base64"));
    this.exports = new wasm.Instance(module).exports as unknown as GearExports;
    this.bytes = new Uint8Array(this.exports.memory.buffer);
    const view = new DataView(this.exports.memory.buffer);
    for (let i = 0; i < 256; i++) {
      view.setUint32(i * 8, GEAR_LO[i] as number, true);
      view.setUint32(i * 8 + 4, GEAR_HI[i] as number, true);
    }
  }

  /** Copies `data` into WASM memory; positions passed to find() are then indexes into `data`. */
  load(data: Uint8Array): void {
    const need = TABLE_BYTES + data.length;
    if (need > this.bytes.length) {
      this.exports.memory.grow(Math.ceil((need - this.bytes.length) / PAGE));
      this.bytes = new Uint8Array(this.exports.memory.buffer);
    }
    this.bytes.set(data, TABLE_BYTES);
  }

  resetHash(): void {
    this.exports.h.value = 0n;
  }

  /**
   * Hashes data[from..end) and returns the index after the first byte at or beyond `testFrom` whose
   * hash passes the mask, or -1 when none does (the state then covers every byte up to `end`).
   */
  find(from: number, end: number, testFrom: number): number {
    const r = this.exports.find(TABLE_BYTES + from, TABLE_BYTES + end, TABLE_BYTES + testFrom);
    return r < 0 ? -1 : r - TABLE_BYTES;
  }
}
