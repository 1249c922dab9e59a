import { HubpushError } from "../common/hubpush-error.js";
import { byteRateHint, parseByteRate } from "../common/parse-byte-rate.js";
import type { EngineSettings } from "../core/engine.js";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const MAX_WORKERS = 256;

function bad(message: string): HubpushError {
  return new HubpushError("ERR_CONTROL_BAD_REQUEST", message);
}

function workers(value: unknown, name: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > MAX_WORKERS) {
    throw bad(`${name} must be a whole number from 1 to ${MAX_WORKERS}`);
  }
  return value;
}

/** A number ≥ 1, a string with a unit as the CLI takes it ("50M", "1.5G", "100Mi"), or null for no limit. */
function maxRate(value: unknown): number | null {
  if (value === null) return null;
  if (typeof value === "string") {
    const bytes = parseByteRate(value);
    if (bytes === null) throw bad(`maxRateBytesPerSec ${byteRateHint(value)}, or null for no limit`);
    return bytes;
  }
  if (typeof value !== "number" || !Number.isFinite(value) || value < 1) {
    throw bad(
      'maxRateBytesPerSec must be a number of bytes per second ≥ 1, a string with a unit such as "50M", or null for no limit',
    );
  }
  return Math.floor(value);
}

/** Validates POST /v1/settings/update: a partial EngineSettings, unknown keys refused. */
export function parseSettingsPatch(body: unknown): Partial<EngineSettings> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw bad('the settings must be a JSON object, e.g. {"maxRateBytesPerSec": 10000000}');
  }
  const patch: Partial<Mutable<EngineSettings>> = {};
  for (const [key, value] of Object.entries(body)) {
    switch (key) {
      case "hashWorkers":
        patch.hashWorkers = workers(value, key);
        break;
      case "uploadWorkers":
        patch.uploadWorkers = workers(value, key);
        break;
      case "maxRateBytesPerSec":
        patch.maxRateBytesPerSec = maxRate(value);
        break;
      default:
        throw bad(`unknown setting "${key}": use hashWorkers, uploadWorkers or maxRateBytesPerSec`);
    }
  }
  return patch;
}
