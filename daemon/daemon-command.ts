import type { Logger } from "pino";
import { EXIT } from "../common/error-codes.js";
import { createEngine } from "../core/create-engine.js";
import type { Engine, EngineSettings } from "../core/engine.js";
import { DEFAULT_TUNING, type EngineTuning } from "../core/engine-tuning.js";
import { DEFAULT_ENDPOINT, normalizeEndpoint } from "../core/job-input.js";
import type { Journal } from "../storage/journal.js";
import { openJournal } from "../storage/sqlite-journal.js";
import { ControlMetrics } from "./control-metrics.js";
import { type ControlContext, controlRoutes } from "./control-routes.js";
import { ControlServer, type ControlServerOptions } from "./control-server.js";
import { createLogger } from "./create-logger.js";
import { DaemonLock } from "./daemon-lock.js";
import { daemonVersion } from "./daemon-version.js";
import { ensureStateDir } from "./ensure-state-dir.js";
import { FolderWatchers } from "./folder-watchers.js";
import { Housekeeping } from "./housekeeping.js";
import { Lifecycle, type StopReason } from "./lifecycle.js";
import type { StatePaths } from "./state-paths.js";
import { readToken } from "./token-source.js";
import { UiController } from "./ui-controller.js";
import { ThroughputSampler } from "./ui-throughput-sampler.js";

export { daemonStatus } from "./daemon-status.js";
export { stopDaemon } from "./stop-daemon.js";

export interface RunDaemonOptions {
  readonly paths: StatePaths;
  /** Log file (`daemon start` passes paths.logFile); null = stdout. */
  readonly logFile: string | null;
  /** How long a stop lets in-flight work finish before aborting it (default in the CLI: 20 s). */
  readonly graceMs: number;
  /** HF_TOKEN, HF_HOME, HF_ENDPOINT, HUBPUSH_LOG_LEVEL are read from here, once. */
  readonly env: NodeJS.ProcessEnv;
  readonly settings?: Partial<EngineSettings>;
  /** Engine pacing knobs (tests shorten the waits). */
  readonly tuning?: Partial<EngineTuning>;
  /** Control server timeouts (tests shorten them). */
  readonly control?: ControlServerOptions;
}

/**
 * `hubpush daemon run`: takes the state directory's lock, opens the journal, resumes every
 * unfinished job and serves the control API until SIGTERM/SIGINT or POST /v1/daemon/shutdown; then
 * drains within the grace period and cleans up. Resolves with the exit code; start-up failures
 * are logged (so `daemon start` can show them) and thrown.
 */
export async function runDaemon(options: RunDaemonOptions): Promise<number> {
  const { paths, env } = options;
  Lifecycle.restrictFileModes();
  const dir = ensureStateDir(paths.home);
  const log = createLogger({ logFile: options.logFile, level: env.HUBPUSH_LOG_LEVEL });
  const logger = log.logger.child({ component: "daemon" });
  if (dir.tightened)
    logger.warn({ dir: paths.home, mode: dir.previousMode.toString(8) }, "state dir mode tightened");
  let lock: DaemonLock | null = null;
  let journal: Journal | null = null;
  let server: ControlServer | null = null;
  const lifecycle = new Lifecycle({
    logger,
    onReopen: () => log.reopen(),
    onForce: () => {
      server?.removeSocketFile();
      lock?.release();
      log.flush();
    },
  });
  lifecycle.install();
  const startedAt = Date.now();
  let engine: Engine | null = null;
  let housekeeping: Housekeeping | null = null;
  let watchers: FolderWatchers | null = null;
  let ui: UiController | null = null;
  let sampler: ThroughputSampler | null = null;
  const tuning = { ...DEFAULT_TUNING, ...options.tuning };
  try {
    lock = DaemonLock.acquire(paths.lock);
    journal = openJournal(paths.journal);
    const tokenEnv = { ...env };
    engine = createEngine({
      journal,
      tokenFor: (job) => readToken({ tokenFile: job.options.tokenFile, env: tokenEnv }),
      logger: log.logger.child({ component: "engine" }),
      excludeAbsolute: [paths.home],
      ...(options.settings === undefined ? {} : { settings: options.settings }),
      ...(options.tuning === undefined ? {} : { tuning: options.tuning }),
    });
    watchers = new FolderWatchers({
      engine,
      logger: log.logger.child({ component: "watch" }),
      excludeAbsolute: [paths.home],
      debounceMs: tuning.watchDebounceMs,
    });
    const folderWatchers = watchers;
    const uiLogger = log.logger.child({ component: "ui" });
    let pageContext: ControlContext | null = null;
    const pageUi = new UiController({
      home: paths.home,
      journal,
      logger: uiLogger,
      // The page's API is the control API minus its /v1/ui/… routes, built from the same context.
      controlRoutes: () => controlRoutes({ ...(pageContext as ControlContext), ui: undefined }),
    });
    ui = pageUi;
    pageContext = {
      ui: pageUi,
      engine,
      watchStatus: (jobId) => folderWatchers.status(jobId),
      rescanPolicy: tuning,
      journal,
      logger: log.logger.child({ component: "control" }),
      metrics: new ControlMetrics(),
      home: paths.home,
      version: daemonVersion(),
      startedAt,
      defaultEndpoint: normalizeEndpoint(env.HF_ENDPOINT || DEFAULT_ENDPOINT),
      requestShutdown: () => lifecycle.requestStop({ kind: "shutdown-request" }),
    };
    server = new ControlServer(pageContext, options.control);
    await server.listen(paths.socket);
    engine.start();
    housekeeping = new Housekeeping({
      journal,
      engine,
      watchers,
      tuning,
      logger: log.logger.child({ component: "housekeeping" }),
    });
    housekeeping.start();
    sampler = new ThroughputSampler({ journal, engine, logger: uiLogger });
    sampler.start();
    await pageUi.resume();
    journal.events.append("daemon.started", null, { pid: process.pid, version: daemonVersion() });
    logger.info(
      { home: paths.home, socket: paths.socket, version: daemonVersion(), graceMs: options.graceMs },
      "daemon started",
    );
  } catch (err) {
    logger.fatal({ err }, "daemon failed to start");
    housekeeping?.stop();
    sampler?.stop();
    await ui?.close().catch(() => {});
    await watchers?.closeAll();
    await server?.close().catch(() => {});
    // The engine may already hold worker threads and Hub connections that would keep the process alive.
    await engine?.stop(0).catch(() => {});
    journal?.close();
    lock?.release();
    lifecycle.uninstall();
    log.flush();
    throw err;
  }
  const reason = await lifecycle.stopRequested;
  const code = await shutdown({
    reason,
    engine,
    server,
    journal,
    housekeeping,
    watchers,
    ui: ui as UiController,
    sampler: sampler as ThroughputSampler,
    graceMs: options.graceMs,
    logger,
  });
  lock.release();
  logger.info({ code }, "daemon stopped");
  log.flush();
  lifecycle.uninstall();
  lifecycle.exitIfStuck(code);
  return code;
}

/** Drain, then close: the engine first (its last journal writes), then the socket, then the journal. */
async function shutdown(parts: {
  reason: StopReason;
  engine: Engine;
  server: ControlServer;
  journal: Journal;
  housekeeping: Housekeeping;
  watchers: FolderWatchers;
  ui: UiController;
  sampler: ThroughputSampler;
  graceMs: number;
  logger: Logger;
}): Promise<number> {
  const { engine, server, journal, logger } = parts;
  logger.info({ reason: parts.reason, graceMs: parts.graceMs }, "daemon stopping");
  parts.housekeeping.stop();
  parts.sampler.stop();
  await parts.watchers.closeAll();
  server.beginStopping();
  let code = 0;
  try {
    await engine.stop(parts.graceMs);
  } catch (err) {
    logger.error({ err }, "engine stop failed");
    code = EXIT.failure;
  }
  try {
    journal.events.append("daemon.stopped", null, { pid: process.pid });
  } catch (err) {
    logger.error({ err }, "cannot record the stop");
  }
  // The page goes with the daemon (open tabs show "disconnected, retrying") but stays configured.
  await parts.ui.close();
  await server.close();
  journal.close();
  return code;
}
