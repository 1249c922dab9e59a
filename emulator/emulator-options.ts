/** Options of `startEmulator` (and the `hubpush emulator` flags); docs/emulator.md lists them. */
export interface EmulatorOptions {
  /** TCP port; default 0 (a free port). */
  port?: number;
  /** Interface to bind; default "127.0.0.1". */
  host?: string;
  /** Where repos and objects persist; default a fresh temp dir, deleted by close(). */
  dataDir?: string;
  /**
   * "hf_xxx", "hf_xxx:read", "hf_xxx:write", optionally ":<username>" third ("hf_abc:write:alice").
   * Default role write, default user "user". Empty/undefined: one write token "hf_emulator_default" for "user".
   */
  tokens?: readonly string[];
  /** Base URL put in absolute URLs; default `http://<Host header>`. */
  publicUrl?: string;
  /** Fault SPEC applied from the start (docs/emulator.md); default none. */
  faults?: string;
  /** PRNG seed for fault rates; default 1. */
  seed?: number;
  /** File that receives one JSON line per request; default none. */
  accessLog?: string;
  /** Enables /admin/* (Authorization: Bearer <adminToken>); default disabled (404). */
  adminToken?: string;
  /** uploadMode lfs when size > this; default 10 MiB. */
  lfsThresholdBytes?: number;
  /** uploadMode lfs when the sample has a NUL byte and size > this; default 1_000_000. */
  binaryLfsMinBytes?: number;
  /** LFS objects larger than this get a multipart plan; default 64 MiB. */
  multipartThresholdBytes?: number;
  /** chunk_size for multipart; default 16 MiB. */
  multipartChunkBytes?: number;
  /** Max size of a regular (inline) file in a commit; default 10 MiB. */
  regularMaxBytes?: number;
  /** Expiry of presigned URLs in seconds; default 3600. */
  uploadUrlTtlSeconds?: number;
  /**
   * Organizations: "NAME" or "NAME:private-by-default", optionally ":members=alice,bob" last
   * ("acme:private-by-default:members=alice"). Repos created there without `private` get the
   * org's default visibility; only members may write there. Namespaces that are neither a user nor a
   * configured org stay open to every token (as before).
   */
  orgs?: readonly string[];
  /** Tree/commits page size; default 1000 (50 with expand) for trees, `limit` or 50 for commits. */
  pageSize?: number;
  /** Repos are Xet-enabled: the LFS batch answers `transfer: "xet"` when offered; default true (`--no-xet`). */
  xet?: boolean;
  /** Lifetime of Xet access tokens in seconds; default 3600. */
  xetTokenTtlSeconds?: number;
  /** Dedup-response HMAC key, 64 hex digits (all zeros = plain chunk hashes); default a fixed non-zero key. */
  xetDedupHmacKey?: string;
  /** Shapes traffic like a WAN link: "rtt=MS,conn=RATE,total=RATE" (link-spec.ts); default none. */
  link?: string;
}
