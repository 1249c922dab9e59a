import { setTimeout as sleep } from "node:timers/promises";
import { HubpushError } from "../common/hubpush-error.js";
import { ControlClient } from "./control-client.js";
import { DaemonLock } from "./daemon-lock.js";
import type { StatePaths } from "./state-paths.js";

export interface StopDaemonOptions {
  /** How long to wait for the lock to be released (the daemon drains first); default 60 s. */
  readonly timeoutMs?: number;
}

const POLL_MS = 50;

/**
 * Asks the daemon to stop (POST /v1/daemon/shutdown) and waits until it has released its lock,
 * i.e. drained, closed the journal and removed the socket. When the socket is dead but a live
 * process holds the lock, it gets SIGTERM (the same graceful stop). Resolves false when nothing was
 * running; throws ERR_DAEMON_RUNNING when it is still running after the timeout.
 */
export async function stopDaemon(paths: StatePaths, options: StopDaemonOptions = {}): Promise<boolean> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const client = new ControlClient(paths.socket);
  let asked = false;
  try {
    await client.request("POST", "/v1/daemon/shutdown");
    asked = true;
  } catch (err) {
    if (!(err instanceof HubpushError) || err.code !== "ERR_DAEMON_NOT_RUNNING") throw err;
  } finally {
    await client.close();
  }
  let pid = DaemonLock.holder(paths.lock);
  if (!asked) {
    if (pid === null) return false;
    try {
      process.kill(pid, "SIGTERM");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ESRCH") throw err;
    }
  }
  const giveUpAt = Date.now() + timeoutMs;
  while (pid !== null) {
    if (Date.now() > giveUpAt) {
      throw new HubpushError(
        "ERR_DAEMON_RUNNING",
        `the daemon (pid ${pid}) is still running after ${Math.round(timeoutMs / 1000)} s; it may still be finishing uploads in flight: wait, or run \`hubpush daemon stop\` again (kill -TERM twice aborts at once)`,
        { details: { pid } },
      );
    }
    await sleep(POLL_MS);
    pid = DaemonLock.holder(paths.lock);
  }
  return true;
}
