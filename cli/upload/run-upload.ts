import path from "node:path";
import { ERROR_CODES, EXIT, isErrorCode } from "../../common/error-codes.js";
import { createEngine } from "../../core/create-engine.js";
import type { Engine, EngineSettings } from "../../core/engine.js";
import type { EngineTuning } from "../../core/engine-tuning.js";
import { createLogger } from "../../daemon/create-logger.js";
import { type JobStatusJson, toJobStatusJson } from "../../daemon/job-status-json.js";
import { readToken } from "../../daemon/token-source.js";
import type { JobOptions, JobRecord, JobSpec, Journal } from "../../storage/journal.js";
import type { CliConfig } from "../cli-config.js";
import type { CliIo } from "../cli-io.js";
import { onInterrupt } from "../on-interrupt.js";
import { renderSummary } from "../render/render-summary.js";
import { runProgressLoop } from "../render/run-progress-loop.js";
import { createStyle } from "../render/style.js";
import { skippedEntries } from "./skipped-entries.js";

export interface RunUploadOptions {
  readonly io: CliIo;
  readonly config: CliConfig;
  /** Open journal; this process holds the state directory's lock. */
  readonly journal: Journal;
  readonly spec: JobSpec;
  readonly options: JobOptions;
  readonly settings: Partial<EngineSettings>;
  /** Engine knobs from HUBPUSH_TUNING (default: none, the engine's defaults). */
  readonly tuning?: Partial<EngineTuning>;
  /** Called on a second Ctrl-C right before the process ends (release the lock). */
  readonly onForce: () => void;
}

/** In-flight requests get this long to finish after Ctrl-C; the rest is redone next time. */
const GRACE_MS = 5_000;
const SHOWN_FAILURES = 10;

type Outcome = { readonly kind: "settled"; readonly job: JobRecord } | { readonly kind: "interrupted" };

/** Runs one job in this process until it settles or the user interrupts; returns the exit code. */
export async function runUpload(run: RunUploadOptions): Promise<number> {
  const { io, config, journal } = run;
  const started = Date.now();
  const logFile = path.join(config.paths.logDir, "upload.log");
  const log = createLogger({ logFile, level: config.logLevel });
  const engine: Engine = createEngine({
    journal,
    tokenFor: (job) => readToken({ tokenFile: job.options.tokenFile, env: config.env }),
    logger: log.logger,
    settings: run.settings,
    ...(run.tuning === undefined ? {} : { tuning: run.tuning }),
    excludeAbsolute: [config.paths.home],
  });
  // This process holds the lock, so leases left by a killed earlier run are dead: free them now.
  journal.files.releaseLeases();
  const before = journal.jobs.find(run.spec);
  const eventsBefore = journal.events.lastId();
  const job = engine.addJob(run.spec, run.options);
  const commitsBefore = before?.commitsMade ?? 0;

  let interrupt: () => void = () => {};
  const interrupted = new Promise<Outcome>((resolve) => {
    interrupt = () => resolve({ kind: "interrupted" });
  });
  const removeHandlers = onInterrupt((_signal, count) => {
    if (count === 1) {
      io.stderr.write("\nhubpush: stopping; press Ctrl-C again to quit at once\n");
      interrupt();
      return;
    }
    io.stderr.write(`hubpush: quitting now; progress is kept in ${journal.path}\n`);
    log.flush();
    run.onForce();
    process.exit(EXIT.interrupted);
  });

  const stopLoop = new AbortController();
  // --json draws nothing: log-update is then never loaded (a restart's start-up).
  const display = config.json
    ? null
    : new (await import("../render/progress-display.js")).ProgressDisplay({
        out: io.stdout,
        tty: config.tty,
        color: config.color,
        // A Node warning or our own stderr message mid-run must print above the frame, not into it.
        shared: sameTerminal(io.stderr) ? [io.stderr] : [],
      });
  const readStatus = (): JobStatusJson => toJobStatusJson(engine.progress(job.id));
  const poll = () => [readStatus()];
  const loop = config.json
    ? Promise.resolve()
    : runProgressLoop({
        poll,
        draw: (jobs) => display?.draw(jobs),
        intervalMs: config.progressIntervalMs,
        signal: stopLoop.signal,
      });
  try {
    const outcome = await Promise.race([
      engine.whenSettled(job.id).then((settled): Outcome => ({ kind: "settled", job: settled })),
      interrupted,
    ]);
    stopLoop.abort();
    await loop;
    await engine.stop(outcome.kind === "interrupted" ? GRACE_MS : 0);
    const status = readStatus();
    if (!config.json) {
      display?.draw([status]);
      display?.release();
    }
    if (outcome.kind === "interrupted") {
      if (config.json) io.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
      io.stderr.write(
        `hubpush: interrupted; progress is kept in ${journal.path}: run the same command again to resume (ERR_INTERRUPTED)\n`,
      );
      return EXIT.interrupted;
    }
    const failures = journal.files.list(job.id, { state: "failed", limit: SHOWN_FAILURES }).map((file) => ({
      path: file.path,
      code: file.lastError?.code ?? "ERR_INTERNAL",
      message: file.lastError?.message ?? "failed",
    }));
    if (config.json) {
      io.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
    } else {
      const summary = renderSummary(
        { job: status, commitsBefore, elapsedMs: Date.now() - started, failures, logFile },
        createStyle(config.color),
      );
      io.stdout.write(`${summary.join("\n")}\n`);
    }
    reportSkipped(io, skippedEntries(journal, job.id, eventsBefore, SHOWN_FAILURES), logFile);
    return exitCodeFor(io, status.state, status.blocked, status.files.failed.files);
  } finally {
    stopLoop.abort();
    removeHandlers();
    log.flush();
  }
}

/** Whether stderr prints on a terminal too (redirected to a file, it cannot disturb the frame). */
function sameTerminal(stream: CliIo["stderr"]): boolean {
  return (stream as { readonly isTTY?: boolean }).isTTY === true;
}

/** Entries the scan left out are not failures (exit code unchanged), but the user must hear of them. */
function reportSkipped(io: CliIo, skipped: ReturnType<typeof skippedEntries>, logFile: string): void {
  if (skipped.total === 0) return;
  const lines = skipped.entries.map((e) => `    ${e.path}: ${e.reason} (${e.code})`);
  const more = skipped.total - skipped.entries.length;
  if (more > 0) lines.push(`    … and ${more} more (see ${logFile})`);
  io.stderr.write(
    `hubpush: ${skipped.total} ${skipped.total === 1 ? "entry" : "entries"} of the folder not uploaded; exclude ${skipped.total === 1 ? "it" : "them"} with --exclude to silence this:\n${lines.join("\n")}\n`,
  );
}

function exitCodeFor(
  io: CliIo,
  state: string,
  blocked: { code: string; message: string } | null,
  failed: number,
): number {
  if (blocked !== null) {
    io.stderr.write(
      `hubpush: ${blocked.message} (${blocked.code})\nhubpush: the upload is blocked: fix that, then run the same command again (the work done so far is kept)\n`,
    );
    return isErrorCode(blocked.code) ? ERROR_CODES[blocked.code].exitCode : EXIT.failure;
  }
  if (failed > 0) {
    io.stderr.write(
      `hubpush: ${failed} file${failed === 1 ? "" : "s"} could not be uploaded, listed above (ERR_JOB_FAILED)\n`,
    );
    return EXIT.failure;
  }
  if (state === "cancelled") {
    io.stderr.write("hubpush: the job was cancelled (ERR_JOB_STATE)\n");
    return EXIT.failure;
  }
  return EXIT.ok;
}
