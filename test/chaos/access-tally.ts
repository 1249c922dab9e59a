import { readFileSync } from "node:fs";

interface AccessLine {
  readonly method: string;
  readonly route: string;
  readonly status: number;
  readonly fault: string | null;
  readonly oid: string | null;
  readonly partNumber: number | null;
}

export interface AccessTally {
  readonly requests: number;
  /** Injected faults by kind (status = 5xx, ratelimit = 429, reset, lost; latency only slows). */
  readonly faults: Readonly<Record<string, number>>;
  /** Injected faults by "route kind". */
  readonly faultsByRoute: Readonly<Record<string, number>>;
  /** Commits the emulator applied and answered (200) or applied and never answered (lost). */
  readonly commitsAnswered: number;
  readonly commitsLost: number;
  /** Multipart parts stored more than once (a kill or a fault while the part was in flight). */
  readonly partsResent: number;
  /** LFS single PUTs and multipart parts answered 200. */
  readonly lfsUploads: number;
  /** Xorb POSTs answered 200, and xorbs answered 200 more than once (the excess). */
  readonly xorbsStored: number;
  readonly xorbsResent: number;
  /** Shard POSTs answered 200. */
  readonly shardsAnswered: number;
}

/** Reads the emulator's access log (one JSON line per request) into the figures the report shows. */
export function tallyAccessLog(file: string): AccessTally {
  let text = "";
  try {
    text = readFileSync(file, "utf8");
  } catch {
    // No request was ever made.
  }
  const lines = text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as AccessLine);
  const faults: Record<string, number> = {};
  const faultsByRoute: Record<string, number> = {};
  const parts = new Map<string, number>();
  const xorbs = new Map<string, number>();
  let lfsUploads = 0;
  let shardsAnswered = 0;
  let commitsAnswered = 0;
  let commitsLost = 0;
  for (const l of lines) {
    if (l.fault !== null) {
      faults[l.fault] = (faults[l.fault] ?? 0) + 1;
      const key = `${l.route} ${l.fault}`;
      faultsByRoute[key] = (faultsByRoute[key] ?? 0) + 1;
    }
    if (l.route === "commit" && l.fault === "lost") commitsLost++;
    if (l.route === "commit" && l.status === 200) commitsAnswered++;
    if ((l.route === "lfs-put" || l.route === "lfs-part") && l.status === 200) lfsUploads++;
    if (l.route === "xet-xorb" && l.method === "POST" && l.status === 200) {
      xorbs.set(l.oid ?? "", (xorbs.get(l.oid ?? "") ?? 0) + 1);
    }
    if (l.route === "xet-shard" && l.status === 200) shardsAnswered++;
    if (l.route === "lfs-part" && l.status === 200) {
      const key = `${l.oid}#${l.partNumber}`;
      parts.set(key, (parts.get(key) ?? 0) + 1);
    }
  }
  return {
    requests: lines.length,
    faults,
    faultsByRoute,
    commitsAnswered,
    commitsLost,
    partsResent: [...parts.values()].filter((n) => n > 1).length,
    lfsUploads,
    xorbsStored: [...xorbs.values()].reduce((a, b) => a + b, 0),
    xorbsResent: [...xorbs.values()].reduce((a, n) => a + n - 1, 0),
    shardsAnswered,
  };
}
