import { existsSync, readFileSync } from "node:fs";

/** The fields of an emulator access-log line the bench uses (docs/emulator.md, "Access log"). */
export interface AccessLine {
  readonly route: string;
  readonly status: number;
  readonly fault: string | null;
  readonly oid: string | null;
  readonly partNumber: number | null;
  readonly bytesIn: number;
  readonly durationMs: number;
}

export function readAccessLog(file: string): AccessLine[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as AccessLine);
}

export interface AccessSummary {
  readonly requests: number;
  /** Requests per route, e.g. {"preupload": 500, "commit": 53}. */
  readonly byRoute: Record<string, number>;
  /** Answers per status class: "2xx", "4xx", "5xx", "0" (reset or lost). */
  readonly byStatus: Record<string, number>;
  /** Injected faults per kind. */
  readonly faults: Record<string, number>;
  /** Summed server-side handling time per route (ms): where the emulator spent its time. */
  readonly msByRoute: Record<string, number>;
}

export function summarize(lines: readonly AccessLine[]): AccessSummary {
  const byRoute: Record<string, number> = {};
  const byStatus: Record<string, number> = {};
  const faults: Record<string, number> = {};
  const msByRoute: Record<string, number> = {};
  for (const l of lines) {
    byRoute[l.route] = (byRoute[l.route] ?? 0) + 1;
    const cls = l.status === 0 ? "0" : `${Math.floor(l.status / 100)}xx`;
    byStatus[cls] = (byStatus[cls] ?? 0) + 1;
    if (l.fault !== null) faults[l.fault] = (faults[l.fault] ?? 0) + 1;
    msByRoute[l.route] = Math.round((msByRoute[l.route] ?? 0) + l.durationMs);
  }
  return { requests: lines.length, byRoute, byStatus, faults, msByRoute };
}

/** "oid:part" of every multipart part PUT the emulator answered 2xx. */
export function partsReceived(lines: readonly AccessLine[]): Map<string, number> {
  const seen = new Map<string, number>();
  for (const l of lines) {
    if (l.route !== "lfs-part" || l.status < 200 || l.status > 299) continue;
    const key = `${l.oid}:${l.partNumber}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  return seen;
}
