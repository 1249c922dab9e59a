import { readFileSync } from "node:fs";
import { type Check, noneOf } from "./check.js";

/** Messages that mean a loop or a runner died of an unexpected error rather than a handled fault. */
const INTERNAL = new Set(["stage loop crashed", "job runner failed", "daemon failed to start"]);

export interface DaemonLogVerdict {
  readonly check: Check;
  /** "daemon started" lines: one per daemon that got as far as serving its socket. */
  readonly started: number;
  /** Error-level (and above) lines by message. */
  readonly errors: Readonly<Record<string, number>>;
}

/** Reads the daemons' shared log (pino JSON lines; a SIGKILL may leave a torn last line). */
export function scanDaemonLog(file: string): DaemonLogVerdict {
  let text = "";
  try {
    text = readFileSync(file, "utf8");
  } catch {
    // No daemon ever wrote a line.
  }
  const errors: Record<string, number> = {};
  const internal: string[] = [];
  let started = 0;
  for (const line of text.split("\n")) {
    let record: { level?: number; msg?: string; err?: { message?: string } };
    try {
      record = JSON.parse(line) as typeof record;
    } catch {
      continue;
    }
    const msg = record.msg ?? "";
    if (msg === "daemon started") started++;
    if ((record.level ?? 0) >= 50) errors[msg] = (errors[msg] ?? 0) + 1;
    if (INTERNAL.has(msg)) internal.push(`${msg}: ${record.err?.message ?? ""}`);
  }
  return {
    check: noneOf("no internal error in the daemon log", internal),
    started,
    errors,
  };
}
