import { HubpushError } from "../common/hubpush-error.js";
import { DEFAULT_REPO_LIMITS, type RepoLimits } from "../core/plan/repo-limits.js";

/**
 * `HUBPUSH_REPO_LIMITS` (JSON, e.g. `{"maxFolderEntries":5}`): the Hub's repository limits as
 * `plan` and `upload` warn on them, lowered for tests and experiments (an emulator has no 20 GB
 * files). Unknown keys and bad values are refused, so a typo does not silently keep the defaults.
 */
export function repoLimitsFromEnv(value: string | undefined): RepoLimits {
  if (value === undefined || value.trim() === "") return DEFAULT_REPO_LIMITS;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw invalid("it is not JSON");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw invalid("expected an object");
  const out: Record<string, number> = { ...DEFAULT_REPO_LIMITS };
  for (const [key, v] of Object.entries(parsed)) {
    if (!Object.hasOwn(DEFAULT_REPO_LIMITS, key)) throw invalid(`unknown limit "${key}"`);
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0)
      throw invalid(`"${key}" must be a whole number ≥ 0`);
    out[key] = v;
  }
  return Object.freeze(out) as unknown as RepoLimits;
}

function invalid(why: string): HubpushError {
  return new HubpushError(
    "ERR_USAGE",
    `HUBPUSH_REPO_LIMITS is not valid: ${why}; unset it to use the Hub's limits`,
  );
}
