import { DEFAULT_ENDPOINT, normalizeEndpoint } from "../core/job-input.js";
import { resolveStatePaths, type StatePaths } from "../daemon/state-paths.js";
import { readToken } from "../daemon/token-source.js";
import type { OptionReader } from "./check-options.js";

/** Options every call that talks to the Hub takes (huggingface_hub's names, camelCase). */
export interface HubOptions {
  /** The Hub token; default HF_TOKEN, then $HF_HOME/token (read when needed, never journaled). */
  readonly token?: string;
  /** Hub base URL; default HF_ENDPOINT, then https://huggingface.co. */
  readonly endpoint?: string;
  /** hubpush's state directory (journal, spool, logs); default HUBPUSH_HOME, then $XDG_STATE_HOME/hubpush. */
  readonly hubpushHome?: string;
}

/** What a call resolved once from its options and the environment, then passes down. */
export interface LibraryContext {
  readonly paths: StatePaths;
  readonly endpoint: string;
  readonly cwd: string;
  readonly logLevel: string;
  /** The token: the `token` option, else a token file, else the environment (as the CLI reads it). */
  tokenFor(tokenFile: string | null): Promise<string>;
}

/** Resolves HubOptions; the environment is read here, at call time, never at import time. */
export function libraryContext(reader: OptionReader, env: NodeJS.ProcessEnv = process.env): LibraryContext {
  const token = reader.string("token");
  const home = reader.string("hubpushHome");
  const endpoint = reader.string("endpoint") ?? nonEmpty(env.HF_ENDPOINT) ?? DEFAULT_ENDPOINT;
  const frozenEnv = Object.freeze({ ...env });
  return Object.freeze({
    paths: Object.freeze(
      resolveStatePaths(home === undefined ? frozenEnv : { ...frozenEnv, HUBPUSH_HOME: home }),
    ),
    endpoint: normalizeEndpoint(endpoint),
    cwd: process.cwd(),
    logLevel: nonEmpty(env.HUBPUSH_LOG_LEVEL) ?? "info",
    tokenFor: (tokenFile: string | null) =>
      token !== undefined && tokenFile === null
        ? Promise.resolve(token)
        : readToken({ tokenFile, env: frozenEnv }),
  });
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}
