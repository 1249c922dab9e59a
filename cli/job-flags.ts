import { type Command, Option } from "commander";
import type { JobInput } from "../core/job-input.js";
import type { CliConfig } from "./cli-config.js";
import { optionParsers } from "./option-parsers.js";

/** The options `upload` and `add` share (design §5), as commander hands them over. */
export interface JobFlags {
  readonly repo: string;
  readonly repoType?: string;
  readonly revision?: string;
  readonly private?: boolean;
  readonly public?: boolean;
  readonly spaceSdk?: string;
  readonly include?: string[];
  readonly exclude?: string[];
  readonly pathInRepo?: string;
  readonly message?: string;
  readonly workers?: number;
  readonly endpoint?: string;
  readonly tokenFile?: string;
  readonly watch?: boolean;
  readonly every?: number;
  readonly delete?: boolean;
  readonly maxRate?: number;
  readonly json?: boolean;
  readonly progressInterval?: number;
}

/**
 * Declares the job options on a command (names as in `hf upload-large-folder` where they agree).
 * `upload` hides the watch options: it refuses them and points at `hubpush add`.
 */
export function jobFlags(command: Command, { watchOptions }: { watchOptions: boolean }): Command {
  const watchOption = (flags: string, description: string, parse?: (value: string) => number): Option => {
    const option = new Option(flags, description);
    if (parse !== undefined) option.argParser(parse);
    return watchOptions ? option : option.hideHelp();
  };
  return command
    .requiredOption("--repo <ns/name>", "the Hub repo to upload to, e.g. alice/my-model")
    .option("--repo-type <type>", "model, dataset or space (default: model)")
    .option("--revision <branch>", "the branch to commit to (default: main)")
    .option("--private", "create the repo private if it does not exist")
    .option(
      "--public",
      "create the repo public if it does not exist (default: neither flag, the Hub applies the namespace's default visibility)",
    )
    .option(
      "--space-sdk <sdk>",
      "with --repo-type space: the SDK a new Space is created with, gradio|streamlit|docker|static (default: gradio)",
    )
    .option("--include <glob>", "upload only files matching this glob (repeatable)", optionParsers.collect)
    .option("--exclude <glob>", "skip files matching this glob (repeatable)", optionParsers.collect)
    .option("--path-in-repo <prefix>", "folder inside the repo to upload into (default: the root)")
    .option("--message <text>", "commit message (default: Upload folder using hubpush)")
    .option("--workers <n>", "concurrent LFS uploads", optionParsers.positiveInt)
    .option("--endpoint <url>", "Hub endpoint (default: $HF_ENDPOINT or https://huggingface.co)")
    .option(
      "--token-file <file>",
      "read the Hub token from this file (default: $HF_TOKEN, then $HF_HOME/token)",
    )
    .addOption(watchOption("--watch", "keep watching the folder and upload changes"))
    .addOption(
      watchOption(
        "--every <minutes>",
        "with --watch: commit at most every MINUTES",
        optionParsers.positiveNumber,
      ),
    )
    .addOption(watchOption("--delete", "with --watch: delete remote files whose local file was deleted"))
    .option(
      "--max-rate <bytes_per_s>",
      "cap the upload bandwidth, in bytes per second",
      optionParsers.positiveInt,
    )
    .option("--json", "print the job's status as JSON instead of text");
}

/** The hidden option tests use to get plain progress lines quickly. */
export function progressIntervalOption(): Option {
  return new Option("--progress-interval <ms>", "progress frame interval in ms")
    .argParser(optionParsers.positiveInt)
    .hideHelp();
}

/** Flags → the JobInput that parseJobInput (and the daemon's /v1/jobs/add) validates. */
export function jobInputFromFlags(folder: string, flags: JobFlags, config: CliConfig): JobInput {
  return {
    folder,
    repo: flags.repo,
    endpoint: config.endpoint,
    ...(flags.repoType === undefined ? {} : { repoType: flags.repoType }),
    ...(flags.revision === undefined ? {} : { revision: flags.revision }),
    ...(flags.pathInRepo === undefined ? {} : { pathInRepo: flags.pathInRepo }),
    ...(flags.message === undefined ? {} : { message: flags.message }),
    ...(flags.tokenFile === undefined ? {} : { tokenFile: flags.tokenFile }),
    include: flags.include ?? [],
    exclude: flags.exclude ?? [],
    ...(flags.private === true ? { private: true } : {}),
    ...(flags.public === true ? { public: true } : {}),
    ...(flags.spaceSdk === undefined ? {} : { spaceSdk: flags.spaceSdk }),
    watch: flags.watch === true,
    ...(flags.every === undefined ? {} : { every: flags.every }),
    delete: flags.delete === true,
  };
}
