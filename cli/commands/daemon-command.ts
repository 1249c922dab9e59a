import { Command, Option } from "commander";
import { EXIT } from "../../common/error-codes.js";
import { resolveCliConfig } from "../cli-config.js";
import type { CliIo } from "../cli-io.js";
import { optionParsers } from "../option-parsers.js";
import { settingsFromFlags } from "../settings-from-flags.js";
import { tuningFromEnv } from "../tuning-from-env.js";

interface RunFlags {
  readonly logFile?: string;
  readonly grace: number;
  readonly workers?: number;
  readonly maxRate?: number;
}

/** `hubpush daemon start|stop|status|run`. */
export function daemonCommand(io: CliIo): Command {
  const daemon = new Command("daemon").description("start, stop or inspect the background daemon");

  daemon
    .command("start")
    .description("start the daemon in the background (log: $HUBPUSH_HOME/logs/daemon.log)")
    .action(async () => {
      const config = resolveCliConfig(io);
      const { startDetached } = await import("../../daemon/start-detached.js");
      const { pid } = await startDetached(config.paths, {
        cliEntry: io.entry,
        execArgv: [...io.execArgv],
        env: { ...config.env },
      });
      io.stdout.write(
        `daemon started (pid ${pid}), socket ${config.paths.socket}, log ${config.paths.logFile}\n`,
      );
    });

  daemon
    .command("stop")
    .description("stop the daemon (requests in flight finish; every job resumes at the next start)")
    .action(async () => {
      const config = resolveCliConfig(io);
      const { stopDaemon } = await import("../../daemon/stop-daemon.js");
      const stopped = await stopDaemon(config.paths);
      io.stdout.write(stopped ? "daemon stopped\n" : "daemon not running\n");
    });

  daemon
    .command("status")
    .description("say whether the daemon runs (exit 0) or not (exit 5), with its pid, version and socket")
    .option("--json", "print {running, pid, version, socket} as JSON")
    .action(async (flags: { json?: boolean }) => {
      const config = resolveCliConfig(io, flags);
      const { daemonStatus } = await import("../../daemon/daemon-status.js");
      const status = await daemonStatus(config.paths);
      if (config.json) {
        io.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
      } else if (status.running) {
        io.stdout.write(
          `running\npid: ${status.pid ?? "?"}\nversion: ${status.version ?? "?"}\nsocket: ${status.socket}\n`,
        );
      } else {
        const holder =
          status.pid === null
            ? ""
            : `pid ${status.pid} holds ${config.paths.lock} (a daemon starting up, or \`hubpush upload\` running)\n`;
        io.stdout.write(`not running\n${holder}socket: ${status.socket}\n`);
      }
      io.setExitCode(status.running ? EXIT.ok : EXIT.daemonDown);
    });

  daemon
    .command("run")
    .description("run the daemon in the foreground, logging JSON to stdout (for systemd)")
    .addOption(new Option("--log-file <file>", "log to this file instead of stdout").hideHelp())
    .option(
      "--grace <ms>",
      "on stop, how long requests in flight may finish before they are aborted",
      optionParsers.positiveInt,
      20_000,
    )
    .option("--workers <n>", "concurrent LFS uploads", optionParsers.positiveInt)
    .option(
      "--max-rate <rate>",
      "cap the upload bandwidth in bytes per second: 800k, 50M, 1.5G (powers of 1000), 100Mi (1024) or a number",
      optionParsers.byteRate,
    )
    .action(async (flags: RunFlags) => {
      const config = resolveCliConfig(io);
      // Loaded on use: the daemon pulls in the engine, SQLite and pino.
      const { runDaemon } = await import("../../daemon/daemon-command.js");
      const tuning = tuningFromEnv(config.env.HUBPUSH_TUNING);
      const code = await runDaemon({
        ...(tuning === undefined ? {} : { tuning }),
        paths: config.paths,
        logFile: flags.logFile ?? null,
        graceMs: flags.grace,
        env: { ...config.env },
        settings: settingsFromFlags(flags),
      });
      io.setExitCode(code);
    });

  return daemon;
}
