import path from "node:path";
import { fileURLToPath } from "node:url";
import { HubpushError } from "../common/hubpush-error.js";
import { type JobInput, parseJobInput } from "../core/job-input.js";
import { ControlClient } from "../daemon/control-client.js";
import { daemonStatus } from "../daemon/daemon-status.js";
import { startDetached } from "../daemon/start-detached.js";
import { resolveStatePaths, type StatePaths } from "../daemon/state-paths.js";
import { stopDaemon } from "../daemon/stop-daemon.js";
import { OptionReader } from "./check-options.js";
import { DaemonJob } from "./daemon-job.js";
import { optional, REPO_TYPES } from "./upload-folder.js";

export interface ConnectOptions {
  /** Start the daemon (detached, as `hubpush daemon start`) when none runs; default false. */
  readonly start?: boolean;
  /** The daemon's state directory; default HUBPUSH_HOME, then $XDG_STATE_HOME/hubpush. */
  readonly hubpushHome?: string;
}

/** What daemon.add takes: uploadFolder's options, minus what only an in-process call can have. */
export interface DaemonAddOptions {
  readonly folderPath: string;
  readonly repoId: string;
  readonly repoType?: "model" | "dataset" | "space";
  readonly revision?: string;
  readonly pathInRepo?: string;
  readonly commitMessage?: string;
  readonly commitDescription?: string;
  readonly allowPatterns?: string | readonly string[];
  readonly ignorePatterns?: string | readonly string[];
  readonly private?: boolean;
  /** Default: the daemon's HF_ENDPOINT, then https://huggingface.co. */
  readonly endpoint?: string;
  /** A file holding the token; default: the daemon's HF_TOKEN, then $HF_HOME/token (a token itself never travels). */
  readonly tokenFile?: string;
  /** Remote files under pathInRepo matching these are deleted in the job's first commit. */
  readonly deletePatterns?: string | readonly string[];
  /** Open one pull request with the job's first commit; later commits go to it. */
  readonly createPr?: boolean;
  /** "auto" (default), "xet" or "lfs". */
  readonly transfer?: "auto" | "xet" | "lfs";
}

/** A client of the daemon's control API; jobs added through it run one after another, in order. */
export class DaemonConnection {
  readonly paths: StatePaths;
  readonly #client: ControlClient;
  #last: Promise<unknown> = Promise.resolve();
  #closed = false;

  /** @internal Use connect(). */
  constructor(paths: StatePaths, client: ControlClient) {
    this.paths = paths;
    this.#client = client;
  }

  /**
   * Hands a folder to the daemon without waiting (run_as_future). The options are checked now; the
   * job is added to the daemon once the jobs added before it through this connection have settled.
   */
  async add(options: DaemonAddOptions): Promise<DaemonJob> {
    const input = daemonInput(options);
    const previous = this.#last;
    const job = new DaemonJob(
      this.#client,
      input,
      previous.catch(() => {}),
      () => this.#closed,
    );
    this.#last = job.done.catch(() => {});
    return job;
  }

  /** Stops the daemon (in-flight requests finish; its jobs resume at its next start). */
  async shutdown(): Promise<void> {
    await stopDaemon(this.paths);
  }

  /** Closes this client; the daemon and its jobs go on. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#client.close();
  }
}

/** Connects to the daemon of the state directory, starting it first when asked. */
export async function connect(options: ConnectOptions = {}): Promise<DaemonConnection> {
  const reader = new OptionReader("connect", options);
  const home = reader.string("hubpushHome");
  const start = reader.boolean("start") ?? false;
  const env = home === undefined ? { ...process.env } : { ...process.env, HUBPUSH_HOME: home };
  const paths = resolveStatePaths(env);
  const status = await daemonStatus(paths);
  if (!status.running) {
    if (!start) {
      throw new HubpushError(
        "ERR_DAEMON_NOT_RUNNING",
        `no hubpush daemon runs for ${paths.home}: start it with \`hubpush daemon start\`, or call connect({ start: true })`,
        { details: { home: paths.home } },
      );
    }
    await startDetached(paths, { ...cliEntry(), env });
  }
  return new DaemonConnection(paths, new ControlClient(paths.socket));
}

/** The CLI next to this file: dist/cli/main.js when built, cli/main.ts under tsx from the sources. */
function cliEntry(): { cliEntry: string; execArgv: string[] } {
  const fromSources = import.meta.url.endsWith(".ts");
  const entry = fileURLToPath(new URL(`../cli/main.${fromSources ? "ts" : "js"}`, import.meta.url));
  return { cliEntry: entry, execArgv: fromSources ? ["--import", "tsx"] : [] };
}

function daemonInput(raw: DaemonAddOptions): JobInput {
  const reader = new OptionReader("daemon.add", raw);
  const tokenFile = reader.string("tokenFile");
  const input: JobInput = {
    folder: path.resolve(reader.requiredString("folderPath")),
    repo: reader.requiredString("repoId"),
    ...optional("repoType", reader.oneOf("repoType", REPO_TYPES)),
    ...optional("revision", reader.string("revision")),
    ...optional("pathInRepo", reader.string("pathInRepo")),
    ...optional("message", reader.string("commitMessage")),
    ...optional("commitDescription", reader.string("commitDescription")),
    ...optional("include", reader.patterns("allowPatterns")),
    ...optional("exclude", reader.patterns("ignorePatterns")),
    ...optional("private", reader.boolean("private")),
    ...optional("createPr", reader.boolean("createPr")),
    ...optional("deletePatterns", reader.patterns("deletePatterns")),
    ...optional("transfer", reader.oneOf("transfer", ["auto", "xet", "lfs"] as const)),
    ...optional("endpoint", reader.string("endpoint")),
    ...optional("tokenFile", tokenFile === undefined ? undefined : path.resolve(tokenFile)),
  };
  // Checked here, so a bad folder or repo id rejects add() instead of a job's `done` later.
  parseJobInput(input, { endpoint: input.endpoint ?? "https://huggingface.co", cwd: process.cwd() });
  return input;
}
