import { Command } from "commander";
import { HubpushError } from "../../common/hubpush-error.js";
import { byteRateHint, parseByteRate } from "../../common/parse-byte-rate.js";
import type { CliIo } from "../cli-io.js";
import { optionParsers } from "../option-parsers.js";
import type { PlanFlags } from "../plan/plan-action.js";
import { targetFlags } from "../verify/target-flags.js";

function rate(value: string): number {
  const bytes = parseByteRate(value);
  if (bytes === null) throw new HubpushError("ERR_USAGE", `--rate ${byteRateHint(value)}`);
  return bytes;
}

/** `hubpush plan <folder|file> --repo ns/name`: what would this upload do? */
export function planCommand(io: CliIo): Command {
  const command = new Command("plan")
    .description("dry run: what an upload would send, skip, ignore and delete, in how many commits")
    .argument("<path>", "the folder or file to upload")
    .option(
      "--rate <rate>",
      "estimate the time at this bandwidth: 800k, 50M, 1.5G (powers of 1000), 100Mi",
      rate,
    )
    .option(
      "--delete <glob>",
      "list the remote files under --path-in-repo this glob would delete (repeatable)",
      optionParsers.collect,
    )
    .addHelpText(
      "after",
      "\nReads only: no commit, no upload, no job in the journal. Limit warnings go to stderr.",
    );
  return targetFlags(command).action(async (given: string, flags: PlanFlags) => {
    const { planAction } = await import("../plan/plan-action.js");
    await planAction(io, given, flags);
  });
}
