/** What the CLI touches of its process, passed down so commands never reach for globals. */
export interface CliIo {
  /** The environment, read once by resolveCliConfig and handed to daemon helpers. */
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly stdout: NodeJS.WritableStream & { readonly isTTY?: boolean; readonly columns?: number };
  readonly stderr: NodeJS.WritableStream;
  /** The CLI entry file (cli/main.ts under tsx, dist/cli/main.js once built). */
  readonly entry: string;
  /** Sets the exit code of the process (never exits: output must be flushed first). */
  setExitCode(code: number): void;
  /** The node binary running the CLI (process.execPath). */
  readonly execPath: string;
  /** Node flags of this process (e.g. --import tsx), so a spawned daemon runs the same way. */
  readonly execArgv: readonly string[];
}
