import { spawn } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { type ErrorCode, isErrorCode } from "../common/error-codes.js";
import { NODE_HEAP_FLAGS } from "../common/heap-limits.js";
import { HubpushError } from "../common/hubpush-error.js";
import { ControlClient } from "./control-client.js";
import { daemonStatus } from "./daemon-status.js";
import type { StatePaths } from "./state-paths.js";

export interface StartDetachedOptions {
  /** The CLI's entry file (cli/main.ts under tsx, dist/cli/main.js installed). */
  readonly cliEntry: string;
  /** Node flags to run it with (process.execArgv, e.g. --import tsx). */
  readonly execArgv: readonly string[];
  /** The daemon's environment (HF_TOKEN, HF_HOME, HF_ENDPOINT, HUBPUSH_HOME…). */
  readonly env: NodeJS.ProcessEnv;
  /** How long to wait for the socket to answer; default 30 s. */
  readonly timeoutMs?: number;
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/**
 * What the daemon logged since `offset`, boiled down to its errors (pino JSON lines), and the code
 * of the last one: a start that failed for a known reason (a corrupt journal, a second daemon…)
 * is reported with that reason's code and exit code, not a generic one.
 */
function logTail(file: string, offset: number): { text: string; code: ErrorCode | null } {
  let text: string;
  try {
    text = readFileSync(file).subarray(offset).toString("utf8");
  } catch {
    return { text: "", code: null };
  }
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  let code: ErrorCode | null = null;
  const errors = lines.flatMap((line) => {
    try {
      const record = JSON.parse(line) as {
        level?: number;
        msg?: string;
        err?: { message?: string; code?: unknown };
      };
      if ((record.level ?? 0) < 50) return [];
      if (typeof record.err?.code === "string" && isErrorCode(record.err.code)) code = record.err.code;
      return [record.err?.message ?? record.msg ?? line];
    } catch {
      return [line];
    }
  });
  return { text: (errors.length > 0 ? errors : lines).slice(-5).join("\n"), code };
}

/**
 * `hubpush daemon start`: runs `daemon run --log-file <logFile>` as a detached process (stdio
 * ignored, so it outlives the terminal) and returns once its control socket answers with its pid.
 * If it exits first, the error it logged is reported (ERR_DAEMON_START).
 */
export async function startDetached(paths: StatePaths, opts: StartDetachedOptions): Promise<{ pid: number }> {
  const existing = await daemonStatus(paths);
  if (existing.running) {
    throw new HubpushError(
      "ERR_DAEMON_RUNNING",
      `a daemon already runs for ${paths.home} (pid ${existing.pid ?? "?"}): \`hubpush daemon stop\` stops it`,
      { details: { pid: existing.pid } },
    );
  }
  const logOffset = fileSize(paths.logFile);
  const child = spawn(
    process.execPath,
    // The heap bounds first: the caller's own flags come after and win.
    [...NODE_HEAP_FLAGS, ...opts.execArgv, opts.cliEntry, "daemon", "run", "--log-file", paths.logFile],
    { detached: true, stdio: "ignore", env: opts.env },
  );
  let exit: string | null = null;
  child.once("exit", (code, signal) => {
    exit = signal === null ? `exited with code ${code}` : `was killed by ${signal}`;
  });
  child.once("error", (err) => {
    exit = `could not be started (${err.message})`;
  });
  const failed = (why: string): HubpushError => {
    const tail = logTail(paths.logFile, logOffset);
    return new HubpushError(
      tail.code ?? "ERR_DAEMON_START",
      `the daemon ${why}${tail.text === "" ? "" : `: ${tail.text}`} (log: ${paths.logFile})`,
      { details: { logFile: paths.logFile } },
    );
  };
  const client = new ControlClient(paths.socket);
  const giveUpAt = Date.now() + (opts.timeoutMs ?? 30_000);
  try {
    for (;;) {
      if (exit !== null) throw failed(exit);
      try {
        const answer = await client.request<{ pid: number }>("GET", "/v1/version");
        if (answer.pid === child.pid) break;
      } catch (err) {
        if (!(err instanceof HubpushError) || err.code !== "ERR_DAEMON_NOT_RUNNING") throw err;
      }
      if (Date.now() > giveUpAt) {
        child.kill("SIGTERM");
        throw failed(
          `did not answer on ${paths.socket} within ${Math.round((opts.timeoutMs ?? 30_000) / 1000)} s`,
        );
      }
      await sleep(50);
    }
  } finally {
    await client.close();
  }
  child.unref();
  if (child.pid === undefined) throw failed("has no pid");
  return { pid: child.pid };
}
