/** Route names a fault rule can target (`*` targets all of them; `admin` is never faulted). */
export const ROUTE_NAMES = [
  "create-repo",
  "repo-info",
  "whoami",
  "validate-yaml",
  "preupload",
  "lfs-batch",
  "lfs-put",
  "lfs-part",
  "lfs-complete",
  "lfs-verify",
  "commit",
  "paths-info",
  "tree",
  "commits",
  "refs",
  "branch",
  "tag",
  "repo-delete",
  "repo-move",
  "discussions",
  "resolve",
  "admin",
  "xet-token",
  "xet-xorb",
  "xet-shard",
  "xet-dedup",
  "xet-reconstruction",
  "xet-fetch",
  "xet-misc",
] as const;
export type RouteName = (typeof ROUTE_NAMES)[number] | "unknown";

export type FaultKind = "status" | "ratelimit" | "latency" | "reset" | "cut" | "lost" | "busy";
const KINDS: readonly FaultKind[] = ["status", "ratelimit", "latency", "reset", "cut", "lost", "busy"];

/** The Hub's transient create-repo 409 (hub-protocol.md §1.3): a retry succeeds, unlike "already exists". */
export const CONFLICTING_OPERATION = "Cannot create repo: another conflicting operation is in progress";

export interface FaultRule {
  readonly route: RouteName | "*";
  readonly kind: FaultKind;
  readonly status: number;
  readonly retryAfter: number;
  readonly ms: number;
  readonly bytes: number;
  readonly rate: number;
  readonly count: number;
  readonly after: number;
}

/** A fault that fired for one request. */
export type Fault = Pick<FaultRule, "kind" | "status" | "retryAfter" | "ms" | "bytes">;

function num(key: string, raw: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const value = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(value) || value < min || value > max) {
    throw new Error(`Invalid fault spec: ${key}=${raw} must be a number in [${min}, ${max}].`);
  }
  return value;
}

function parseRule(text: string): FaultRule {
  const fields = new Map<string, string>();
  for (const pair of text.split(",")) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new Error(`Invalid fault spec: "${pair.trim()}" is not KEY=VALUE (in "${text}").`);
    fields.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
  }
  const route = fields.get("route");
  const kind = fields.get("kind");
  if (route === undefined || kind === undefined) {
    throw new Error(`Invalid fault spec: rule "${text}" needs both route= and kind=.`);
  }
  const isRoute = (r: string): r is RouteName => (ROUTE_NAMES as readonly string[]).includes(r);
  if (route !== "*" && !isRoute(route)) {
    throw new Error(
      `Invalid fault spec: unknown route "${route}"; use * or one of ${ROUTE_NAMES.join(", ")}.`,
    );
  }
  const isKind = (k: string): k is FaultKind => (KINDS as readonly string[]).includes(k);
  if (!isKind(kind)) throw new Error(`Invalid fault spec: unknown kind "${kind}"; use ${KINDS.join(", ")}.`);
  const known = new Set(["route", "kind", "status", "retry-after", "ms", "bytes", "rate", "count", "after"]);
  for (const key of fields.keys()) {
    if (!known.has(key)) throw new Error(`Invalid fault spec: unknown key "${key}" in "${text}".`);
  }
  const get = (key: string, min: number, fallback: number, max?: number): number => {
    const raw = fields.get(key);
    return raw === undefined ? fallback : num(key, raw, min, max);
  };
  return {
    route,
    kind,
    status: Math.floor(get("status", 100, 500, 599)),
    retryAfter: Math.floor(get("retry-after", 0, 1)),
    ms: get("ms", 0, 0),
    bytes: Math.floor(get("bytes", 0, 0)),
    rate: get("rate", 0, 1, 1),
    count: Math.floor(get("count", 0, Number.POSITIVE_INFINITY)),
    after: Math.floor(get("after", 0, 0)),
  };
}

/** Parses a fault SPEC (`RULE;RULE…`, `RULE := KEY=VALUE,…`); throws on any error. */
export function parseFaultSpec(spec: string): FaultRule[] {
  return spec
    .split(";")
    .map((r) => r.trim())
    .filter((r) => r !== "")
    .map(parseRule);
}

/** mulberry32: tiny, seedable, good enough to make fault rates reproducible. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The active rules with their counters and the PRNG; rules are evaluated in order, first firing wins. */
export class FaultRules {
  #spec = "";
  #seed = 1;
  #rules: FaultRule[] = [];
  #matched: number[] = [];
  #fired: number[] = [];
  #random: () => number = mulberry32(1);

  constructor(spec: string, seed: number) {
    this.replace(spec, seed);
  }

  get spec(): string {
    return this.#spec;
  }

  get seed(): number {
    return this.#seed;
  }

  /** Replaces the rules (counters and PRNG restart); throws without changing anything on a bad spec. */
  replace(spec: string, seed: number = this.#seed): void {
    const rules = parseFaultSpec(spec);
    this.#spec = spec;
    this.#seed = seed;
    this.#rules = rules;
    this.#matched = rules.map(() => 0);
    this.#fired = rules.map(() => 0);
    this.#random = mulberry32(seed);
  }

  /** Decides the fault for one request on `route`, or null. */
  pick(route: RouteName): Fault | null {
    if (route === "admin") return null;
    for (const [i, rule] of this.#rules.entries()) {
      if (rule.route !== "*" && rule.route !== route) continue;
      // One draw per matching rule per request, whether or not it fires, keeps sequences reproducible.
      const draw = this.#random();
      const matched = (this.#matched[i] ?? 0) + 1;
      this.#matched[i] = matched;
      const fired = this.#fired[i] ?? 0;
      if (matched <= rule.after || fired >= rule.count || draw >= rule.rate) continue;
      this.#fired[i] = fired + 1;
      return rule;
    }
    return null;
  }
}
