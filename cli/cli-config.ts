import { DEFAULT_ENDPOINT } from "../core/job-input.js";
import { resolveStatePaths, type StatePaths } from "../daemon/state-paths.js";
import type { CliIo } from "./cli-io.js";

/** Flags that feed the configuration; absent ones fall back to the environment, then defaults. */
export interface ConfigFlags {
  readonly endpoint?: string;
  readonly json?: boolean;
  /** Hidden --progress-interval (ms), for tests. */
  readonly progressInterval?: number;
}

/** Resolved once per command (defaults < environment < flags), frozen, and passed down. */
export interface CliConfig {
  readonly env: Readonly<NodeJS.ProcessEnv>;
  readonly cwd: string;
  readonly paths: StatePaths;
  /** --endpoint, else HF_ENDPOINT, else https://huggingface.co (validated by parseJobInput). */
  readonly endpoint: string;
  /** stdout is a terminal: progress is redrawn in place. */
  readonly tty: boolean;
  /** Colours: only on a terminal and when NO_COLOR is unset or empty (https://no-color.org). */
  readonly color: boolean;
  readonly json: boolean;
  /** Progress frame interval: 250 ms on a terminal, 5 s for plain lines, or --progress-interval. */
  readonly progressIntervalMs: number;
  /** pino level for the logs this process writes: HUBPUSH_LOG_LEVEL, default info. */
  readonly logLevel: string;
}

const nonEmpty = (value: string | undefined): string | undefined =>
  value === undefined || value.trim() === "" ? undefined : value.trim();

export function resolveCliConfig(io: CliIo, flags: ConfigFlags = {}): CliConfig {
  const tty = io.stdout.isTTY === true;
  return Object.freeze({
    env: Object.freeze({ ...io.env }),
    cwd: io.cwd,
    paths: Object.freeze(resolveStatePaths(io.env)),
    endpoint: nonEmpty(flags.endpoint) ?? nonEmpty(io.env.HF_ENDPOINT) ?? DEFAULT_ENDPOINT,
    tty,
    color: tty && (io.env.NO_COLOR === undefined || io.env.NO_COLOR === ""),
    json: flags.json === true,
    progressIntervalMs: flags.progressInterval ?? (tty ? 250 : 5000),
    logLevel: nonEmpty(io.env.HUBPUSH_LOG_LEVEL) ?? "info",
  });
}
