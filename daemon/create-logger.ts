import path from "node:path";
import pino, { type Logger } from "pino";
import { ensureStateDir } from "./ensure-state-dir.js";

export interface CreateLoggerOptions {
  /** Log file (JSON lines, appended, mode 0600); null = stdout (`daemon run` under systemd). */
  readonly logFile: string | null;
  /** pino level; default "info" (HUBPUSH_LOG_LEVEL is read by the caller, not here). */
  readonly level?: string;
}

export interface DaemonLogger {
  readonly logger: Logger;
  /** Reopens the log file (after logrotate moved it; SIGHUP). A no-op on stdout. */
  reopen(): void;
  /** Writes out anything buffered; safe to call right before the process ends. */
  flush(): void;
}

/** Every place a token could hide in a log record; the Hub client logs request headers at most. */
export const REDACT_PATHS = [
  "token",
  "*.token",
  "authorization",
  "*.authorization",
  "headers.authorization",
  "headers.Authorization",
  "req.headers.authorization",
  "*.headers.authorization",
];

/**
 * The daemon's root logger: pino JSON, constant lower-case messages with variables in fields,
 * tokens and Authorization headers redacted. Writes are synchronous: the daemon logs little
 * (progress goes to the event stream) and a line written before a crash is a line kept.
 */
export function createLogger(options: CreateLoggerOptions): DaemonLogger {
  const pinoOptions = {
    level: options.level ?? "info",
    base: { pid: process.pid },
    redact: { paths: REDACT_PATHS, censor: "[redacted]" },
  };
  if (options.logFile === null) {
    const destination = pino.destination({ dest: 1, sync: true });
    return {
      logger: pino(pinoOptions, destination),
      reopen() {},
      flush() {
        destination.flushSync();
      },
    };
  }
  ensureStateDir(path.dirname(options.logFile));
  const destination = pino.destination({ dest: options.logFile, sync: true, mode: 0o600, append: true });
  return {
    logger: pino(pinoOptions, destination),
    reopen() {
      destination.reopen();
    },
    flush() {
      destination.flushSync();
    },
  };
}
