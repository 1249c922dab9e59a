import { HubpushError } from "../../common/hubpush-error.js";
import { DEFAULT_TUNING } from "../../core/engine-tuning.js";
import { runPlan } from "../../core/plan/run-plan.js";
import { readToken } from "../../daemon/token-source.js";
import { resolveCliConfig } from "../cli-config.js";
import type { CliIo } from "../cli-io.js";
import { repoLimitsFromEnv } from "../repo-limits-from-env.js";
import { openCompareSession } from "../verify/compare-session.js";
import { resolveTarget, type TargetFlags } from "../verify/target-flags.js";
import { printLimitWarnings } from "./print-limit-warnings.js";
import { planJson, renderPlan } from "./render-plan.js";

export interface PlanFlags extends TargetFlags {
  readonly rate?: number;
  readonly delete?: string[];
}

/**
 * `hubpush plan`: a dry run. Hashes are reused from the journal read-only and never written there
 * (plan creates no job: a later `upload` hashes again what the journal does not hold), and the Hub
 * is only asked read-only questions.
 */
export async function planAction(io: CliIo, given: string, flags: PlanFlags): Promise<void> {
  const config = resolveCliConfig(io, flags);
  const target = resolveTarget(given, flags, config);
  const limits = repoLimitsFromEnv(config.env.HUBPUSH_REPO_LIMITS);
  let token: string;
  try {
    token = await readToken({ tokenFile: target.tokenFile, env: config.env });
  } catch (err) {
    if (!(err instanceof HubpushError) || err.code !== "ERR_TOKEN_MISSING") throw err;
    throw new HubpushError(
      "ERR_TOKEN_MISSING",
      `plan asks the Hub what the upload would do, with the token the upload will use: ${err.message}`,
      { cause: err },
    );
  }
  const session = openCompareSession(io, config, target, token);
  const deletePatterns = flags.delete ?? [];
  try {
    const result = await runPlan({
      given: target.given,
      hub: session.hub,
      repo: target.repo,
      revision: target.revision,
      pathInRepo: target.pathInRepo,
      pathInRepoIsFolder: target.pathInRepoIsFolder,
      include: target.include,
      exclude: target.exclude,
      excludeAbsolute: session.excludeAbsolute,
      pool: session.pool,
      lookup: session.lookup,
      deletePatterns,
      limits,
      tuning: DEFAULT_TUNING,
      rateBytesPerSec: flags.rate ?? null,
      onProgress: session.onProgress,
    });
    session.endProgress();
    if (config.json) {
      io.stdout.write(
        `${JSON.stringify(planJson(target, result, deletePatterns, flags.rate ?? null), null, 2)}\n`,
      );
    } else {
      io.stdout.write(`${renderPlan(target, result, deletePatterns).join("\n")}\n`);
    }
    printLimitWarnings(io.stderr, result.warnings);
  } finally {
    await session.close();
  }
}
