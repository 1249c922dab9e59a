import type { ChildProcess } from "node:child_process";
import { HubpushError } from "../../common/hubpush-error.js";
import { type DaemonHome, exited, waitFor } from "../daemon/fixtures/daemon-home.js";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * The daemon under test, one process at a time: `hubpush daemon start` (detached, as a user starts
 * it) or `hubpush daemon run` (a child of this process, so it can be killed before it answers),
 * and SIGKILL at the driver's moments.
 */
export class ChaosDaemon {
  readonly #home: DaemonHome;
  readonly #env: NodeJS.ProcessEnv;
  #pid: number | null = null;
  #child: ChildProcess | null = null;
  launches = { start: 0, run: 0 };

  constructor(home: DaemonHome, env: NodeJS.ProcessEnv) {
    this.#home = home;
    this.#env = env;
  }

  get pid(): number | null {
    return this.#pid;
  }

  /** Starts a daemon; `start` returns once it answers, `run` right after the spawn. */
  async launch(kind: "start" | "run"): Promise<void> {
    if (this.#pid !== null) throw new Error(`a daemon (pid ${this.#pid}) is still running`);
    this.launches[kind] += 1;
    if (kind === "start") {
      this.#pid = await this.#home.start(this.#env);
      this.#child = null;
      return;
    }
    // The same log file `daemon start` uses, so every lifetime's log is in one place.
    const child = this.#home.run(["--log-file", this.#home.paths.logFile], this.#env);
    child.stdout?.resume();
    child.stderr?.resume();
    if (child.pid === undefined) throw new Error("daemon run: no pid");
    this.#pid = child.pid;
    this.#child = child;
  }

  /** Waits until the running daemon answers on its socket (it owns the journal by then). */
  async ready(deadlineMs = 60_000): Promise<void> {
    const pid = this.#pid;
    const child = this.#child;
    if (pid === null) throw new Error("no daemon to wait for");
    await waitFor(
      `daemon ${pid} to answer`,
      async () => {
        if (child && (child.exitCode !== null || child.signalCode !== null)) {
          throw new Error(`daemon run exited (${child.exitCode ?? child.signalCode}) before answering`);
        }
        try {
          const v = await this.#home.client.request<{ pid: number }>("GET", "/v1/version");
          return v.pid === pid ? true : undefined;
        } catch (err) {
          if (err instanceof HubpushError && err.code === "ERR_DAEMON_NOT_RUNNING") return undefined;
          throw err;
        }
      },
      deadlineMs,
    );
  }

  /**
   * SIGKILL, then waits until the process is gone (its lock and socket stay behind, stale).
   * Returns whether the kill landed on a live daemon: a daemon that had already exited was not
   * killed, and a test that counts it would pass without testing anything.
   */
  async kill(): Promise<boolean> {
    const pid = this.#pid;
    if (pid === null) return false;
    const child = this.#child;
    let delivered = alive(pid) && (child === null || (child.exitCode === null && child.signalCode === null));
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      delivered = false; // Already gone.
    }
    if (child) {
      await exited(child);
      delivered &&= child.signalCode === "SIGKILL";
    } else await waitFor(`daemon ${pid} to die`, () => (alive(pid) ? undefined : true));
    this.#pid = null;
    this.#child = null;
    return delivered;
  }

  /** `hubpush daemon stop`: the graceful way, so the journal is closed cleanly before it is audited. */
  async stop(): Promise<void> {
    const pid = this.#pid;
    const result = await this.#home.cli(["daemon", "stop"]);
    if (result.code !== 0) throw new Error(`daemon stop failed (${result.code}): ${result.stderr}`);
    if (this.#child) await exited(this.#child);
    else if (pid !== null) await waitFor(`daemon ${pid} to exit`, () => (alive(pid) ? undefined : true));
    this.#pid = null;
    this.#child = null;
  }
}
