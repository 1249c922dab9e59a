export interface SystemdUnitOptions {
  /** Absolute path of node (process.execPath). */
  readonly node: string;
  /** Absolute path of dist/cli/main.js. */
  readonly entry: string;
  /** Variables for the daemon; never secrets (the unit file is world-readable by default). */
  readonly environment: Readonly<Record<string, string>>;
}

/** systemd specifiers (%h, %u…) are expanded in these settings: a literal % is written %%. */
function escapeValue(value: string): string {
  return value.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("%", "%%");
}

/** ExecStart also expands $VAR: a literal $ is written $$. */
function execArg(value: string): string {
  return `"${escapeValue(value).replaceAll("$", "$$$$")}"`;
}

/** The user unit that runs `hubpush daemon run` and restarts it if it crashes. */
export function systemdUnit(options: SystemdUnitOptions): string {
  const environment = Object.entries(options.environment).map(
    ([key, value]) => `Environment="${key}=${escapeValue(value)}"`,
  );
  return [
    "# Written by `hubpush service install`; remove it with `hubpush service uninstall`.",
    "[Unit]",
    "Description=hubpush daemon: resumable uploads to the Hugging Face Hub",
    "",
    "[Service]",
    "Type=simple",
    `ExecStart=${execArg(options.node)} ${execArg(options.entry)} daemon run`,
    ...environment,
    // SIGTERM starts a graceful stop (the journal keeps progress); give in-flight requests time.
    "KillSignal=SIGTERM",
    "TimeoutStopSec=60",
    "Restart=on-failure",
    "RestartSec=10",
    "",
    "[Install]",
    "WantedBy=default.target",
    "",
  ].join("\n");
}
