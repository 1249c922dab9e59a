import { createHash } from "node:crypto";
import type Database from "better-sqlite3";
import { loadXetHasher, type XetHasher, XetKeyedHasher } from "../xet/xet-hasher.js";
import { XORB_MAX_BYTES, XORB_MAX_CHUNKS } from "../xet/xorb.js";
import { BufferPool } from "./xet-buffer-pool.js";
import { XetStore } from "./xet-store.js";
import { XetTokens } from "./xet-token.js";

/** Xet options of the emulator (docs/emulator.md "Xet CAS"). */
export interface XetOptions {
  /**
   * Repos are Xet-enabled (LFS batch answers `xet`) unless their admin switch says otherwise; default
   * true. `--no-xet` models legacy repos. The CAS routes themselves always run (tokens gate them).
   */
  readonly enabled: boolean;
  /** Lifetime of minted Xet tokens in seconds; default 3600. */
  readonly tokenTtlSeconds: number;
  /**
   * Key of the dedup-response HMAC (§3.7) as 64 hex digits; all zeros = chunk hashes sent plainly.
   * Default: a fixed non-zero key derived from the data dir, so clients exercise the HMAC path.
   */
  readonly dedupHmacKeyHex?: string;
}

/** §4.6: 64 MiB plus one header per chunk of slack (and room for a storage footer). */
export const XORB_LIMIT = XORB_MAX_BYTES + 8 * XORB_MAX_CHUNKS + 1024 * 1024;
/** Bytes of stored xorb the LFS bridge reads per step: few syscalls, yet reads and writes overlap. */
export const BRIDGE_SLICE_BYTES = 8 * 1024 * 1024;
/** Idle xorb buffers kept: about the uploads a client runs at once (more are allocated, then dropped). */
const POOLED_BUFFERS = 4;

/** The CAS side of the emulator: storage, tokens, hashers and the dedup HMAC key. */
export class XetCas {
  /** Xorb-sized buffers for xorb bodies. */
  readonly buffers = new BufferPool(XORB_LIMIT, POOLED_BUFFERS);
  /** The LFS bridge's slice buffers (two per file being registered). */
  readonly sliceBuffers = new BufferPool(BRIDGE_SLICE_BYTES, POOLED_BUFFERS);

  private constructor(
    readonly options: XetOptions,
    readonly store: XetStore,
    readonly tokens: XetTokens,
    readonly hasher: XetHasher,
    readonly hmacKey: Uint8Array,
    readonly hmac: XetKeyedHasher | null,
  ) {}

  /**
   * Whether a repo is Xet-enabled: its admin switch (`PUT /admin/xet`) if set, else the emulator
   * default (`--no-xet` = legacy repos). Decides the LFS batch answer, the token routes, repo info's
   * `xetEnabled`, and the Xet fields of tree, paths-info and resolve.
   */
  enabledFor(repoId: number): boolean {
    return this.store.repoSwitch(repoId) ?? this.options.enabled;
  }

  static async create(options: XetOptions, dataDir: string, db: Database.Database): Promise<XetCas> {
    const key = Uint8Array.from(
      options.dedupHmacKeyHex !== undefined
        ? Buffer.from(options.dedupHmacKeyHex, "hex")
        : createHash("sha256").update(`hubpush-emulator-dedup ${dataDir}`).digest(),
    );
    if (key.length !== 32) throw new Error("Emulator option xetDedupHmacKey must be 64 hex digits.");
    const zero = key.every((b) => b === 0);
    return new XetCas(
      options,
      new XetStore(dataDir, db),
      new XetTokens(options.tokenTtlSeconds),
      await loadXetHasher(),
      key,
      zero ? null : await XetKeyedHasher.create(key),
    );
  }
}

/** The CAS base URL the emulator hands out (same server, under /_xet). */
export function casUrl(baseUrl: string): string {
  return `${baseUrl}/_xet`;
}
