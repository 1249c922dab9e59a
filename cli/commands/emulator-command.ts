import { Command } from "commander";
import type { CliIo } from "../cli-io.js";

/** `hubpush emulator …`: every argument (--help included) goes to the emulator's own parser. */
export function emulatorCommand(io: CliIo): Command {
  return new Command("emulator")
    .description("run a local Hub emulator for tests (--port N --data-dir DIR --faults SPEC …; see --help)")
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .argument("[options...]", "the emulator's options")
    .action(async (_args: string[], _flags: unknown, command: Command) => {
      const { emulatorCommand: runEmulator } = await import("../../emulator/emulator-command.js");
      io.setExitCode(await runEmulator(command.args));
    });
}
