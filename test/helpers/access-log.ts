import { readFileSync } from "node:fs";
import type { AccessLogLine } from "../../emulator/access-log.js";

/** The emulator's access log (one JSON line per request), parsed in order. */
export function readAccessLog(file: string): AccessLogLine[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as AccessLogLine);
}
