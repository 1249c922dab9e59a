import { Command } from "commander";
import { resolveCliConfig } from "../cli-config.js";
import type { CliIo } from "../cli-io.js";
import { followLog } from "../follow-log.js";
import { onInterrupt } from "../on-interrupt.js";
import { optionParsers } from "../option-parsers.js";
import { readLogTail } from "../read-log-tail.js";
import { formatLogLine } from "../render/format-log-line.js";
import { createStyle } from "../render/style.js";

interface LogsFlags {
  readonly follow?: boolean;
  readonly lines: number;
  readonly raw?: boolean;
}

/** `hubpush logs [--follow]`: the daemon's log, one readable line per record. */
export function logsCommand(io: CliIo): Command {
  return new Command("logs")
    .description("print the daemon's log ($HUBPUSH_HOME/logs/daemon.log)")
    .option("-f, --follow", "keep printing new records until Ctrl-C")
    .option("-n, --lines <n>", "how many of the last records to print", optionParsers.positiveInt, 200)
    .option("--raw", "print the JSON records as they are")
    .action(async (flags: LogsFlags) => {
      const config = resolveCliConfig(io);
      const style = createStyle(config.color);
      const print = (line: string): void => {
        if (line.trim() === "") return;
        io.stdout.write(`${flags.raw === true ? line : formatLogLine(line, style)}\n`);
      };
      const file = config.paths.logFile;
      const tail = await readLogTail(file, flags.lines);
      if (tail === null) {
        io.stderr.write(
          `hubpush: no log at ${file} yet: the daemon writes it when started with \`hubpush daemon start\` (\`daemon run\` logs to its stdout)\n`,
        );
      }
      for (const line of tail?.lines ?? []) print(line);
      if (flags.follow !== true) return;
      const stop = new AbortController();
      const removeHandlers = onInterrupt(() => stop.abort());
      try {
        await followLog(file, print, { from: tail?.end ?? 0, signal: stop.signal });
      } finally {
        removeHandlers();
      }
    });
}
