import path from "node:path";
import { HubpushError } from "../common/hubpush-error.js";
import { ControlClient } from "../daemon/control-client.js";
import { createLogger, type DaemonLogger } from "../daemon/create-logger.js";
import { DaemonLock } from "../daemon/daemon-lock.js";
import { ensureStateDir } from "../daemon/ensure-state-dir.js";
import type { StatePaths } from "../daemon/state-paths.js";
import type { Journal } from "../storage/journal.js";
import { openJournal } from "../storage/sqlite-journal.js";

/** The state directory opened by this process for in-process uploads: its lock, journal and log. */
export interface LocalHost {
  readonly paths: StatePaths;
  readonly journal: Journal;
  readonly log: DaemonLogger;
  /**
   * Jobs (by spec) a call of this process is running: one engine per job at a time, since the
   * engine's lease ids are per process and job, two engines on one job would share its leases.
   */
  readonly running: Set<string>;
  /** Gives this use back; the last one releases the journal and the lock. */
  release(): void;
}

interface Shared {
  readonly host: Omit<LocalHost, "release">;
  readonly lock: DaemonLock;
  users: number;
}

/**
 * One open state directory per path in this process, shared by concurrent calls (two uploadFolder()
 * calls of one program must not fight over the lock). The lock is the daemon's: while a library
 * call runs, no daemon and no `hubpush upload` drives the same journal, exactly as for the CLI.
 */
const open = new Map<string, Shared>();

export async function acquireLocalHost(paths: StatePaths, logLevel: string): Promise<LocalHost> {
  let shared = open.get(paths.home);
  if (shared === undefined) {
    await refuseRunningDaemon(paths);
    shared = open.get(paths.home); // another call may have opened it while we asked the socket
  }
  if (shared === undefined) {
    ensureStateDir(paths.home);
    const lock = DaemonLock.acquire(paths.lock);
    try {
      const journal = openJournal(paths.journal);
      // We hold the lock now: leases left by a killed earlier process are dead. Done only when the
      // directory is first opened here, never under a call of this process that is still running.
      journal.files.releaseLeases();
      const log = createLogger({ logFile: path.join(paths.logDir, "library.log"), level: logLevel });
      shared = { host: { paths, journal, log, running: new Set<string>() }, lock, users: 0 };
      open.set(paths.home, shared);
    } catch (err) {
      lock.release();
      throw err;
    }
  }
  shared.users += 1;
  const entry = shared;
  let released = false;
  return {
    ...entry.host,
    release() {
      if (released) return;
      released = true;
      entry.users -= 1;
      if (entry.users > 0) return;
      open.delete(paths.home);
      entry.host.log.flush();
      entry.host.journal.close();
      entry.lock.release();
    },
  };
}

async function refuseRunningDaemon(paths: StatePaths): Promise<void> {
  const client = new ControlClient(paths.socket);
  try {
    await client.request("GET", "/v1/version");
  } catch (err) {
    if (err instanceof HubpushError && err.code === "ERR_DAEMON_NOT_RUNNING") return;
    throw err;
  } finally {
    await client.close();
  }
  throw new HubpushError(
    "ERR_DAEMON_RUNNING",
    `a hubpush daemon is running for ${paths.home}: hand it the upload with connect() and daemon.add(), or stop the daemon first`,
    { details: { home: paths.home } },
  );
}
