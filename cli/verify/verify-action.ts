import { HubpushError } from "../../common/hubpush-error.js";
import { runVerify } from "../../core/verify/run-verify.js";
import { readToken } from "../../daemon/token-source.js";
import { resolveCliConfig } from "../cli-config.js";
import type { CliIo } from "../cli-io.js";
import { openCompareSession } from "./compare-session.js";
import { renderVerify, verifyJson } from "./render-verify.js";
import { resolveTarget, type TargetFlags } from "./target-flags.js";

/**
 * `hubpush verify`: compares the folder (or file) with the remote branch, file by file. Reads the
 * Hub and the journal only; exit 0 when everything is identical, 1 otherwise.
 */
export async function verifyAction(io: CliIo, given: string, flags: TargetFlags): Promise<void> {
  const config = resolveCliConfig(io, flags);
  const target = resolveTarget(given, flags, config);
  const token = await readToken({ tokenFile: target.tokenFile, env: config.env });
  const session = openCompareSession(io, config, target, token);
  try {
    const result = await runVerify({
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
      onProgress: session.onProgress,
    });
    session.endProgress();
    if (config.json) io.stdout.write(`${JSON.stringify(verifyJson(target, result), null, 2)}\n`);
    else io.stdout.write(`${renderVerify(target, result).join("\n")}\n`);
    if (!result.ok) {
      const s = result.summary;
      const error = new HubpushError(
        "ERR_VERIFY_MISMATCH",
        `the remote branch does not hold what the folder holds (${s.different} different, ${s.missingRemotely} missing remotely, ${s.onlyRemote} only remote, ${s.unreadable} not compared): upload again to fix it`,
      );
      io.stderr.write(`hubpush: ${error.message} (${error.code})\n`);
      io.setExitCode(1);
    }
  } finally {
    await session.close();
  }
}
