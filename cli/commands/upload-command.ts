import { Command } from "commander";
import type { CliIo } from "../cli-io.js";
import { type JobFlags, jobFlags, progressIntervalOption } from "../job-flags.js";

/** `hubpush upload <folder> --repo ns/name`: one job, in this process, with live progress. */
export function uploadCommand(io: CliIo): Command {
  const command = new Command("upload")
    .description("upload a folder now, in this process, with live progress (re-run to resume)")
    .argument("<folder>", "the folder to upload")
    .addOption(progressIntervalOption())
    .addHelpText(
      "after",
      "\nRunning the same command again resumes where it stopped. --watch, --every and --delete need the\ndaemon: use `hubpush add`.",
    );
  return jobFlags(command, { watchOptions: false }).action(async (folder: string, flags: JobFlags) => {
    // Loaded on use: the engine, SQLite and pino are not needed for --help.
    const { uploadAction } = await import("../upload/upload-action.js");
    await uploadAction(io, folder, flags);
  });
}
