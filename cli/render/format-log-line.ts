import type { Style } from "./style.js";

const LEVELS: Record<number, string> = {
  10: "TRACE",
  20: "DEBUG",
  30: "INFO",
  40: "WARN",
  50: "ERROR",
  60: "FATAL",
};

/** Fields every record has, shown in their own columns or not at all. */
const SKIPPED = new Set(["level", "time", "msg", "pid", "hostname", "v", "name"]);

function fieldValue(value: unknown): string {
  if (typeof value === "string") return /\s/.test(value) || value === "" ? JSON.stringify(value) : value;
  if (typeof value === "object" && value !== null && "message" in value) {
    // pino serialises errors as {type, message, stack, code}: the message and code say enough.
    const err = value as { message?: unknown; code?: unknown };
    const code = typeof err.code === "string" ? ` (${err.code})` : "";
    return JSON.stringify(`${String(err.message)}${code}`);
  }
  return JSON.stringify(value) ?? String(value);
}

function timeOf(value: unknown): string {
  if (typeof value === "number") return new Date(value).toISOString();
  if (typeof value === "string") return value;
  return "-".padEnd(24);
}

/** One pino JSON record → `time LEVEL msg key=value …`; anything else is returned unchanged. */
export function formatLogLine(line: string, style: Style): string {
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    return line;
  }
  if (typeof record !== "object" || record === null || Array.isArray(record)) return line;
  const fields = record as Record<string, unknown>;
  const levelNumber = typeof fields.level === "number" ? fields.level : 30;
  const level = (LEVELS[levelNumber] ?? String(fields.level)).padEnd(5);
  const coloured = levelNumber >= 50 ? style.red(level) : levelNumber >= 40 ? style.yellow(level) : level;
  const extra = Object.entries(fields)
    .filter(([key]) => !SKIPPED.has(key))
    .map(([key, value]) => `${style.dim(`${key}=`)}${fieldValue(value)}`);
  const msg = typeof fields.msg === "string" ? fields.msg : "";
  return [style.dim(timeOf(fields.time)), coloured, msg, ...extra].join(" ");
}
