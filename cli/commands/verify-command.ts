import { Command } from "commander";
import type { CliIo } from "../cli-io.js";
import { type TargetFlags, targetFlags } from "../verify/target-flags.js";

/** `hubpush verify <folder|file> --repo ns/name`: did everything really arrive? */
export function verifyCommand(io: CliIo): Command {
  const command = new Command("verify")
    .description(
      "compare a folder (or file) with the repo, file by file: identical, different, missing remotely, only remote",
    )
    .argument("<path>", "the folder or file that was uploaded")
    .addHelpText(
      "after",
      "\nReads only: never writes to the Hub or the journal. Hashes the journal recorded for unchanged\nfiles are reused. Exit code 0 when everything is identical, 1 otherwise.",
    );
  return targetFlags(command).action(async (given: string, flags: TargetFlags) => {
    // Loaded on use: hashing threads and undici are not needed for --help.
    const { verifyAction } = await import("../verify/verify-action.js");
    await verifyAction(io, given, flags);
  });
}
