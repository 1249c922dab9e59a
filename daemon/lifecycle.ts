import type { Logger } from "pino";
import { EXIT } from "../common/error-codes.js";

export type StopReason =
  | { readonly kind: "signal"; readonly signal: NodeJS.Signals }
  | { readonly kind: "shutdown-request" };

export interface LifecycleOptions {
  readonly logger: Logger;
  /** SIGHUP: reopen the log file (logrotate). */
  readonly onReopen: () => void;
  /**
   * A second SIGTERM/SIGINT while draining: last synchronous clean-up before the process ends with
   * exit code 130. The journal needs none (every write is a finished transaction).
   */
  readonly onForce: () => void;
}

/**
 * The one place where the daemon deals with the process as a whole: signals, the request to stop,
 * the forced exit, and logging fatal errors. The first SIGTERM/SIGINT (or POST /v1/daemon/shutdown)
 * starts a graceful stop; a second one ends the process at once with 130; SIGHUP reopens the log.
 */
export class Lifecycle {
  readonly stopRequested: Promise<StopReason>;
  #resolveStop: (reason: StopReason) => void = () => {};
  #stopping = false;
  readonly #options: LifecycleOptions;
  readonly #onSignal = (signal: NodeJS.Signals): void => this.#handleSignal(signal);
  readonly #onHup = (): void => {
    this.#options.logger.info({ signal: "SIGHUP" }, "reopening log file");
    this.#options.onReopen();
  };
  readonly #onFatal = (err: Error, origin: string): void => {
    this.#options.logger.fatal({ err, origin }, "daemon crashed");
  };

  constructor(options: LifecycleOptions) {
    this.#options = options;
    this.stopRequested = new Promise((resolve) => {
      this.#resolveStop = resolve;
    });
  }

  get stopping(): boolean {
    return this.#stopping;
  }

  /** Files the daemon creates from now on (journal, socket, logs) are for its user only. */
  static restrictFileModes(): void {
    process.umask(0o077);
  }

  install(): void {
    process.on("SIGTERM", this.#onSignal);
    process.on("SIGINT", this.#onSignal);
    process.on("SIGHUP", this.#onHup);
    process.on("uncaughtExceptionMonitor", this.#onFatal);
  }

  uninstall(): void {
    process.off("SIGTERM", this.#onSignal);
    process.off("SIGINT", this.#onSignal);
    process.off("SIGHUP", this.#onHup);
    process.off("uncaughtExceptionMonitor", this.#onFatal);
  }

  /** Starts the graceful stop (idempotent). */
  requestStop(reason: StopReason): void {
    if (this.#stopping) return;
    this.#stopping = true;
    this.#resolveStop(reason);
  }

  /**
   * After a clean stop the event loop should drain and the process end by itself; if a stray handle
   * keeps it alive, end it anyway after `afterMs`. The timer is unref'd so it never delays a clean exit.
   */
  exitIfStuck(code: number, afterMs = 5_000): void {
    setTimeout(() => {
      this.#options.logger.warn({ afterMs }, "process still alive after stop, exiting");
      process.exit(code);
    }, afterMs).unref();
  }

  #handleSignal(signal: NodeJS.Signals): void {
    if (!this.#stopping) {
      this.#options.logger.info({ signal }, "stop requested");
      this.requestStop({ kind: "signal", signal });
      return;
    }
    this.#options.logger.warn({ signal }, "second signal, aborting now");
    try {
      this.#options.onForce();
    } finally {
      process.exit(EXIT.interrupted);
    }
  }
}
