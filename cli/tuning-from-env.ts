import { HubpushError } from "../common/hubpush-error.js";
import { DEFAULT_TUNING, type EngineTuning } from "../core/engine-tuning.js";

/**
 * `HUBPUSH_TUNING` (JSON, e.g. `{"backoffCapMs":2000,"watchStableMs":500}`): overrides of the
 * engine's pacing knobs for a daemon process. Meant for tests and experiments; unknown keys and
 * values of the wrong kind are refused, so a typo does not silently run with the defaults.
 */
export function tuningFromEnv(value: string | undefined): Partial<EngineTuning> | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw invalid("it is not JSON");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw invalid("expected an object");
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(parsed)) {
    if (!Object.hasOwn(DEFAULT_TUNING, key)) throw invalid(`unknown knob "${key}"`);
    const expected = DEFAULT_TUNING[key as keyof EngineTuning];
    const ok = Array.isArray(expected)
      ? Array.isArray(v) && v.length > 0 && v.every((n) => Number.isSafeInteger(n) && n > 0)
      : typeof v === "number" && Number.isFinite(v) && v >= 0;
    if (!ok)
      throw invalid(
        `"${key}" must be ${Array.isArray(expected) ? "a list of positive whole numbers" : "a number ≥ 0"}`,
      );
    out[key] = v;
  }
  return out as Partial<EngineTuning>;
}

function invalid(why: string): HubpushError {
  return new HubpushError("ERR_USAGE", `HUBPUSH_TUNING is not valid: ${why}; unset it to use the defaults`);
}
