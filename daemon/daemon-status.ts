import { HubpushError } from "../common/hubpush-error.js";
import { ControlClient } from "./control-client.js";
import { DaemonLock } from "./daemon-lock.js";
import type { StatePaths } from "./state-paths.js";

export interface DaemonStatus {
  /** The control socket answers. */
  readonly running: boolean;
  /** The daemon's pid when running; otherwise the live pid holding the lock (starting up, or `hubpush upload`), else null. */
  readonly pid: number | null;
  /** The daemon's version when running. */
  readonly version?: string;
  readonly socket: string;
}

interface VersionAnswer {
  readonly version: string;
  readonly pid: number;
}

/** Asks the socket first (the authority), then falls back on the lock file. */
export async function daemonStatus(paths: StatePaths): Promise<DaemonStatus> {
  const client = new ControlClient(paths.socket);
  try {
    const answer = await client.request<VersionAnswer>("GET", "/v1/version");
    return { running: true, pid: answer.pid, version: answer.version, socket: paths.socket };
  } catch (err) {
    if (!(err instanceof HubpushError) || err.code !== "ERR_DAEMON_NOT_RUNNING") throw err;
    return { running: false, pid: DaemonLock.holder(paths.lock), socket: paths.socket };
  } finally {
    await client.close();
  }
}
