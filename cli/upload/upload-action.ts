import { existsSync } from "node:fs";
import { HubpushError } from "../../common/hubpush-error.js";
import { parseJobInput } from "../../core/job-input.js";
import { DaemonLock } from "../../daemon/daemon-lock.js";
import { ensureStateDir } from "../../daemon/ensure-state-dir.js";
import { Lifecycle } from "../../daemon/lifecycle.js";
import { openJournal } from "../../storage/sqlite-journal.js";
import { resolveCliConfig } from "../cli-config.js";
import type { CliIo } from "../cli-io.js";
import { checkDeleteFlags, type JobFlags, jobInputFromFlags } from "../job-flags.js";
import { printLimitWarnings } from "../plan/print-limit-warnings.js";
import { repoLimitsFromEnv } from "../repo-limits-from-env.js";
import { settingsFromFlags } from "../settings-from-flags.js";
import { tuningFromEnv } from "../tuning-from-env.js";
import { withControlClient } from "../with-control-client.js";
import { uploadLimitWarnings } from "./limit-warnings.js";
import { runUpload } from "./run-upload.js";

/**
 * `hubpush upload`: validates, makes sure no daemon drives the same journal, takes the state
 * directory's lock and runs the job in this process.
 */
export async function uploadAction(io: CliIo, folder: string, flags: JobFlags): Promise<void> {
  const config = resolveCliConfig(io, flags);
  // The input first: a single file with --watch is told that files cannot be watched, not sent to `add`.
  const { spec, options } = parseJobInput(jobInputFromFlags(folder, flags, config), {
    endpoint: config.endpoint,
    cwd: config.cwd,
  });
  for (const [set, name] of [
    [flags.watch, "--watch"],
    [flags.every !== undefined, "--every"],
    [flags.mirrorDeletes, "--mirror-deletes"],
  ] as const) {
    if (set === true) {
      throw new HubpushError(
        "ERR_USAGE",
        `${name} keeps a job running after the upload: use \`hubpush add ${folder} --repo ${flags.repo} ${name === "--mirror-deletes" ? "--watch " : ""}${name}\` with the daemon`,
      );
    }
  }
  checkDeleteFlags(flags, io.stderr);
  // Engine knobs as the daemon reads them (tests and benches, e.g. W2x's xetXorbBytes): a typo stops here.
  const tuning = tuningFromEnv(config.env.HUBPUSH_TUNING);
  // No socket file, no daemon (it creates the socket when it starts and its lock keeps this
  // process off the journal anyway): the control client and undici are then not loaded, which was
  // a tenth of a restart's CPU time (issue 16 item 2). A socket left by a killed daemon is asked.
  const daemonRunning =
    existsSync(config.paths.socket) &&
    (await withControlClient(config, async (client) => {
      try {
        await client.request("GET", "/v1/version");
        return true;
      } catch (err) {
        if (err instanceof HubpushError && err.code === "ERR_DAEMON_NOT_RUNNING") return false;
        throw err;
      }
    }));
  if (daemonRunning) {
    throw new HubpushError(
      "ERR_USAGE",
      `a hubpush daemon is running for ${config.paths.home}: give it the folder with \`hubpush add ${folder} --repo ${spec.repoId}\`, or stop it first with \`hubpush daemon stop\``,
    );
  }
  // The journal and logs hold paths and file names: like the daemon's, they are for this user only.
  Lifecycle.restrictFileModes();
  ensureStateDir(config.paths.home);
  // Holding the daemon's lock keeps a daemon (or a second upload) off this journal meanwhile.
  const lock = DaemonLock.acquire(config.paths.lock);
  try {
    const journal = openJournal(config.paths.journal);
    try {
      // The Hub's repository limits, before a new job starts (issue 13 item 7; `plan` shows the
      // same). A resumed job was warned when it began: walking the folder again would cost a
      // restart over a million files many seconds (issue 16 item 2).
      if (journal.jobs.find(spec) === null) {
        const limits = repoLimitsFromEnv(config.env.HUBPUSH_REPO_LIMITS);
        printLimitWarnings(io.stderr, await uploadLimitWarnings(spec, options, [config.paths.home], limits));
      }
      const code = await runUpload({
        io,
        config,
        journal,
        spec,
        options,
        settings: settingsFromFlags(flags),
        ...(tuning === undefined ? {} : { tuning }),
        onForce: () => lock.release(),
      });
      io.setExitCode(code);
    } finally {
      journal.close();
    }
  } finally {
    lock.release();
  }
}
