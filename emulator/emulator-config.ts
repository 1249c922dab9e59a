import type { EmulatorOptions } from "./emulator-options.js";

export interface TokenInfo {
  readonly token: string;
  readonly role: "read" | "write";
  readonly user: string;
}

export interface OrgInfo {
  readonly name: string;
  readonly privateByDefault: boolean;
  /** Users who may write there; undefined: every configured user. */
  readonly members: ReadonlySet<string> | undefined;
}

/** Options resolved once, with every default applied. */
export interface EmulatorConfig {
  readonly host: string;
  readonly port: number;
  readonly publicUrl: string | undefined;
  readonly tokens: ReadonlyMap<string, TokenInfo>;
  /** Every configured user name: namespaces nobody else may write to. */
  readonly users: ReadonlySet<string>;
  readonly adminToken: string | undefined;
  /** Configured organizations by name. */
  readonly orgs: ReadonlyMap<string, OrgInfo>;
  readonly lfsThresholdBytes: number;
  readonly binaryLfsMinBytes: number;
  readonly multipartThresholdBytes: number;
  readonly multipartChunkBytes: number;
  readonly regularMaxBytes: number;
  readonly uploadUrlTtlSeconds: number;
  readonly pageSize: number | undefined;
  /** Cap for JSON request bodies. */
  readonly jsonBodyMaxBytes: number;
  /** Cap for a streamed NDJSON commit body. */
  readonly commitBodyMaxBytes: number;
}

export const DEFAULT_TOKEN = "hf_emulator_default";

function parseToken(spec: string): TokenInfo {
  const [token = "", role = "write", user = "user", ...rest] = spec.split(":");
  if (!token.startsWith("hf_") || rest.length > 0 || user === "") {
    throw new Error(`Invalid emulator token "${spec}": expected hf_xxx[:read|write[:username]].`);
  }
  if (role !== "read" && role !== "write") {
    throw new Error(`Invalid role "${role}" in emulator token "${spec}": use read or write.`);
  }
  return { token, role, user };
}

/** `NAME[:private-by-default][:members=a,b]` (the `--org` flag, repeatable). */
export function parseOrg(spec: string): OrgInfo {
  const [name = "", ...flags] = spec.split(":");
  let privateByDefault = false;
  let members: Set<string> | undefined;
  for (const flag of flags) {
    if (flag === "private-by-default") privateByDefault = true;
    else if (flag.startsWith("members=")) members = new Set(flag.slice(8).split(",").filter(Boolean));
    else throw new Error(`Invalid org "${spec}": expected NAME[:private-by-default][:members=a,b].`);
  }
  if (!/^[\w\-.]{1,96}$/.test(name)) throw new Error(`Invalid org name in "${spec}".`);
  return { name, privateByDefault, members };
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) throw new Error(`Emulator option ${name} must be >= 0.`);
  return value;
}

export function resolveEmulatorConfig(options: EmulatorOptions): EmulatorConfig {
  const specs = options.tokens && options.tokens.length > 0 ? options.tokens : [DEFAULT_TOKEN];
  const tokens = new Map<string, TokenInfo>();
  for (const spec of specs) {
    const info = parseToken(spec);
    tokens.set(info.token, info);
  }
  const chunk = positive("multipartChunkBytes", options.multipartChunkBytes, 16 * 1024 * 1024);
  if (chunk < 1) throw new Error("Emulator option multipartChunkBytes must be >= 1.");
  return {
    host: options.host ?? "127.0.0.1",
    port: options.port ?? 0,
    publicUrl: options.publicUrl?.replace(/\/+$/, ""),
    tokens,
    users: new Set([...tokens.values()].map((t) => t.user)),
    adminToken: options.adminToken,
    orgs: new Map((options.orgs ?? []).map((spec) => parseOrg(spec)).map((o) => [o.name, o])),
    lfsThresholdBytes: positive("lfsThresholdBytes", options.lfsThresholdBytes, 10 * 1024 * 1024),
    binaryLfsMinBytes: positive("binaryLfsMinBytes", options.binaryLfsMinBytes, 1_000_000),
    multipartThresholdBytes: positive(
      "multipartThresholdBytes",
      options.multipartThresholdBytes,
      64 * 1024 * 1024,
    ),
    multipartChunkBytes: chunk,
    regularMaxBytes: positive("regularMaxBytes", options.regularMaxBytes, 10 * 1024 * 1024),
    uploadUrlTtlSeconds: positive("uploadUrlTtlSeconds", options.uploadUrlTtlSeconds, 3600),
    pageSize: options.pageSize === undefined ? undefined : Math.max(1, Math.floor(options.pageSize)),
    jsonBodyMaxBytes: 10 * 1024 * 1024,
    commitBodyMaxBytes: 2 * 1024 * 1024 * 1024,
  };
}
