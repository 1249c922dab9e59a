import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The CLI entry in the source tree; tests run it through tsx, never only against dist/. */
export const CLI_ENTRY = fileURLToPath(new URL("../../cli/main.ts", import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

export interface CliRunOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly input?: string;
  /** Kill the process (SIGKILL) after this many ms; default 120 s. */
  readonly timeoutMs?: number;
  readonly cwd?: string;
}

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Spawns `node --import tsx cli/main.ts …args` with the given environment (merged over a minimal one). */
export function spawnCli(args: readonly string[], options: CliRunOptions = {}): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", CLI_ENTRY, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...options.env },
    stdio: ["pipe", "pipe", "pipe"],
  });
}

/** Runs the CLI to completion and collects its output. */
export function runCli(args: readonly string[], options: CliRunOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawnCli(args, options);
    let stdout = "";
    let stderr = "";
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 120_000);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin?.end(options.input ?? "");
  });
}
