import os from "node:os";
import path from "node:path";
import { HubpushError } from "../common/hubpush-error.js";

/** Where one daemon keeps its state; one daemon per `home`. */
export interface StatePaths {
  /** The state directory (mode 0700): HUBPUSH_HOME, else $XDG_STATE_HOME/hubpush, else ~/.local/state/hubpush. */
  readonly home: string;
  /** The SQLite journal. */
  readonly journal: string;
  /** The control socket (mode 0600). */
  readonly socket: string;
  /** Holds the pid of the process that owns this state directory. */
  readonly lock: string;
  /** Log directory (mode 0700). */
  readonly logDir: string;
  /** The daemon's log when it runs detached (`daemon start`). */
  readonly logFile: string;
}

/** sun_path is 108 bytes on Linux, one of them the terminating NUL. */
const MAX_SOCKET_PATH_BYTES = 107;

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}

/** Resolves the state paths from the environment (never at import time: the caller passes env). */
export function resolveStatePaths(env: NodeJS.ProcessEnv): StatePaths {
  const explicit = nonEmpty(env.HUBPUSH_HOME);
  const xdg = nonEmpty(env.XDG_STATE_HOME);
  const userHome = nonEmpty(env.HOME) ?? os.homedir();
  const home = path.resolve(
    explicit ??
      (xdg !== undefined && path.isAbsolute(xdg)
        ? path.join(xdg, "hubpush")
        : path.join(userHome, ".local", "state", "hubpush")),
  );
  const socket = path.join(home, "hubpush.sock");
  const bytes = Buffer.byteLength(socket);
  if (bytes > MAX_SOCKET_PATH_BYTES) {
    throw new HubpushError(
      "ERR_SOCKET_PATH_TOO_LONG",
      `the control socket path ${socket} is ${bytes} bytes, over the ${MAX_SOCKET_PATH_BYTES}-byte limit of Unix sockets: set HUBPUSH_HOME to a shorter path`,
      { details: { socket, bytes } },
    );
  }
  const logDir = path.join(home, "logs");
  return {
    home,
    journal: path.join(home, "journal.sqlite"),
    socket,
    lock: path.join(home, "daemon.lock"),
    logDir,
    logFile: path.join(logDir, "daemon.log"),
  };
}
