import { Command } from "commander";
import type { CliIo } from "../cli-io.js";
import { jobFlags, progressIntervalOption } from "../job-flags.js";
import { resolveUploadTarget, type UploadFlags } from "../upload-target.js";

/** `hubpush upload <folder> --repo ns/name` or `hubpush upload REPO_ID [LOCAL_PATH] [PATH_IN_REPO]`. */
export function uploadCommand(io: CliIo): Command {
  const command = new Command("upload")
    .description("upload a folder (or one file) now, in this process, with live progress (re-run to resume)")
    .usage(
      "FOLDER|FILE --repo NS/NAME [options]\n       hubpush upload REPO_ID [LOCAL_PATH] [PATH_IN_REPO] [options]",
    )
    .argument(
      "[arguments...]",
      "FOLDER or FILE with --repo; without --repo, as `hf upload`: REPO_ID, LOCAL_PATH (default: .) and PATH_IN_REPO (default: the root for a folder, the file's name for a file)",
    )
    .addOption(progressIntervalOption())
    .addHelpText(
      "after",
      "\nRunning the same command again resumes where it stopped. --watch, --every and --mirror-deletes\nneed the daemon: use `hubpush add`.",
    );
  return jobFlags(command, { watchOptions: false, repoRequired: false }).action(
    async (args: string[], flags: UploadFlags) => {
      const target = resolveUploadTarget(args, flags, io.cwd);
      // Loaded on use: the engine, SQLite and pino are not needed for --help.
      const { uploadAction } = await import("../upload/upload-action.js");
      await uploadAction(io, target.folder, target.flags);
    },
  );
}
