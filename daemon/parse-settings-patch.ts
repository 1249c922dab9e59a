import { HubpushError } from "../common/hubpush-error.js";
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
        if (value !== null && (typeof value !== "number" || !Number.isFinite(value) || value < 1)) {
          throw bad("maxRateBytesPerSec must be a number of bytes per second ≥ 1, or null for no limit");
        }
        patch.maxRateBytesPerSec = value === null ? null : Math.floor(value);
        break;
      default:
        throw bad(`unknown setting "${key}": use hashWorkers, uploadWorkers or maxRateBytesPerSec`);
    }
  }
  return patch;
}
