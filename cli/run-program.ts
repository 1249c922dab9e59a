import { Command, CommanderError } from "commander";
import { EXIT } from "../common/error-codes.js";
import { scrubSecrets } from "../core/hub/scrub-secrets.js";
import { HUBPUSH_VERSION } from "../core/version.js";
import type { CliIo } from "./cli-io.js";
import { addCommand } from "./commands/add-command.js";
import { daemonCommand } from "./commands/daemon-command.js";
import { emulatorCommand } from "./commands/emulator-command.js";
import { jobActionCommand } from "./commands/job-action-command.js";
import { listCommand } from "./commands/list-command.js";
import { logsCommand } from "./commands/logs-command.js";
import { planCommand } from "./commands/plan-command.js";
import { serviceCommand } from "./commands/service-command.js";
import { statusCommand } from "./commands/status-command.js";
import { uiCommand } from "./commands/ui-command.js";
import { uploadCommand } from "./commands/upload-command.js";
import { verifyCommand } from "./commands/verify-command.js";
import { reportError } from "./report-error.js";

/**
 * Commander quotes what it refuses (`unknown option '--token=hf_…'`); a value given to an option
 * that does not exist may be a secret, so it is not printed back, nor is anything token-like.
 */
function hideSecrets(text: string): string {
  return scrubSecrets(text.replace(/'(--?[^'=\s]+)=[^']*'/g, "'$1=…'"));
}

/** Every command reports usage errors the same way and throws instead of exiting. */
function configure(command: Command, io: CliIo): void {
  command
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text, write) => write(`hubpush: ${hideSecrets(text.replace(/^error: /, ""))}`),
    })
    .showHelpAfterError("(add --help for usage)");
  for (const sub of command.commands) configure(sub, io);
}

/** The `hubpush` command line (design §5): one file per command under cli/commands/. */
function buildProgram(io: CliIo): Command {
  const program = new Command("hubpush")
    .description(
      "Push large folders to Hugging Face Hub repos, resumably (a journal keeps every file's state).",
    )
    .version(HUBPUSH_VERSION, "-V, --version", "print the version")
    .helpOption("-h, --help", "show help")
    .addHelpText(
      "after",
      "\nEnvironment: HF_TOKEN, HF_HOME (token file $HF_HOME/token), HF_ENDPOINT, HUBPUSH_HOME, NO_COLOR.\nExit codes and details: docs/cli.md",
    );
  for (const command of [
    uploadCommand(io),
    daemonCommand(io),
    addCommand(io),
    statusCommand(io),
    listCommand(io),
    jobActionCommand(io, "pause"),
    jobActionCommand(io, "resume"),
    jobActionCommand(io, "cancel"),
    jobActionCommand(io, "retry"),
    logsCommand(io),
    emulatorCommand(io),
    serviceCommand(io),
    uiCommand(io),
    verifyCommand(io),
    planCommand(io),
  ]) {
    program.addCommand(command);
  }
  configure(program, io);
  return program;
}

/** Parses argv and runs the command; returns the exit code (never exits the process). */
export async function runProgram(io: CliIo, argv: readonly string[]): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv], { from: "user" });
    return EXIT.ok;
  } catch (err) {
    // Commander already printed its message; --help and --version end with exitCode 0.
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    return reportError(err, io.stderr);
  }
}
