/**
 * The `--link` SPEC of the emulator: `rtt=MS,conn=RATE,total=RATE` (docs/emulator.md "Link
 * shaping"). Every key is optional but at least one is needed. RATE is in BYTES per second with an
 * optional decimal suffix, as network rates are quoted: k = 10^3, M = 10^6, G = 10^9 (so `20M` is
 * 20,000,000 bytes/s, not 20 MiB/s); Ki, Mi, Gi are the binary ones for who wants them.
 */
export interface LinkSpec {
  /** Added round-trip time in ms: half of it delays each direction. 0 = none. */
  readonly rttMs: number;
  /** Cap of each TCP connection, each direction, in bytes/s. Infinity = none. */
  readonly connBytesPerSecond: number;
  /** Cap shared by every connection (the uplink), each direction, in bytes/s. Infinity = none. */
  readonly totalBytesPerSecond: number;
}

const SUFFIX: Record<string, number> = {
  "": 1,
  k: 1e3,
  K: 1e3,
  M: 1e6,
  G: 1e9,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
};

const USAGE = "use rtt=MS,conn=RATE,total=RATE with RATE in bytes/s, e.g. rtt=40,conn=20M,total=100M";

function fail(spec: string, why: string): never {
  throw new Error(`Invalid link spec "${spec}": ${why}; ${USAGE}.`);
}

/** Bytes per second from "20M", "1.5G", "512Ki", "100000" (an optional trailing "B" or "/s" is not accepted: keep it plain). */
export function parseRate(raw: string, spec = raw): number {
  const m = /^(\d+(?:\.\d+)?)(|k|K|M|G|Ki|Mi|Gi)$/.exec(raw.trim());
  const multiplier = m ? SUFFIX[m[2] ?? ""] : undefined;
  if (!m || multiplier === undefined)
    fail(spec, `"${raw}" is not a rate (a number with k, M, G, Ki, Mi or Gi)`);
  const value = Number(m[1]) * multiplier;
  if (!(value >= 1)) fail(spec, `"${raw}" is below 1 byte/s`);
  return value;
}

/** Parses a SPEC; throws an Error saying what is wrong and what is expected. */
export function parseLinkSpec(spec: string): LinkSpec {
  let rttMs = 0;
  let connBytesPerSecond = Number.POSITIVE_INFINITY;
  let totalBytesPerSecond = Number.POSITIVE_INFINITY;
  const seen = new Set<string>();
  const pairs = spec.split(",").map((p) => p.trim());
  if (spec.trim() === "") fail(spec, "it is empty");
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0) fail(spec, `"${pair}" is not KEY=VALUE`);
    const key = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    if (seen.has(key)) fail(spec, `"${key}" is given twice`);
    seen.add(key);
    if (key === "rtt") {
      const m = /^(\d+(?:\.\d+)?)(ms)?$/.exec(value);
      if (!m) fail(spec, `rtt "${value}" is not a number of milliseconds`);
      rttMs = Number(m[1]);
      if (rttMs > 60_000) fail(spec, `rtt ${rttMs} ms is above 60000`);
    } else if (key === "conn") connBytesPerSecond = parseRate(value, spec);
    else if (key === "total") totalBytesPerSecond = parseRate(value, spec);
    else fail(spec, `unknown key "${key}"`);
  }
  return { rttMs, connBytesPerSecond, totalBytesPerSecond };
}
