import { type Command, Option } from "commander";
import { HubpushError } from "../common/hubpush-error.js";
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
  readonly commitDescription?: string;
  readonly workers?: number;
  readonly endpoint?: string;
  readonly tokenFile?: string;
  readonly watch?: boolean;
  readonly every?: number;
  /**
   * --delete GLOB, repeatable (delete patterns); a bare --delete (no value: "") is the deprecated
   * spelling of --mirror-deletes, with --watch only.
   */
  readonly delete?: string[];
  readonly createPr?: boolean;
  readonly mirrorDeletes?: boolean;
  readonly maxRate?: number;
  readonly json?: boolean;
  readonly progressInterval?: number;
  readonly transfer?: string;
}

/**
 * Declares the job options on a command (names as in `hf upload-large-folder` where they agree).
 * `upload` hides the watch options: it refuses them and points at `hubpush add`; its --repo is
 * optional (the repo id may be its first argument, as in `hf upload`).
 */
export function jobFlags(
  command: Command,
  { watchOptions, repoRequired = true }: { watchOptions: boolean; repoRequired?: boolean },
): Command {
  const watchOption = (flags: string, description: string, parse?: (value: string) => number): Option => {
    const option = new Option(flags, description);
    if (parse !== undefined) option.argParser(parse);
    return watchOptions ? option : option.hideHelp();
  };
  // --delete GLOB (delete patterns). Without a value it is the old name of --mirror-deletes,
  // accepted with --watch (and a deprecation line): the preset "" marks that bare use.
  const deleteOption = new Option(
    "--delete [glob]",
    "delete remote files under --path-in-repo that match GLOB, in the first commit, except the files uploaded (repeatable)",
  )
    .preset("")
    .argParser(optionParsers.collect);
  const repo = new Option("--repo <ns/name>", "the Hub repo to upload to, e.g. alice/my-model");
  return command
    .addOption(repoRequired ? repo.makeOptionMandatory() : repo)
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
    .option(
      "--path-in-repo <prefix>",
      "folder inside the repo to upload into (default: the root); with a file, its path in the repo (default: its name; ending in / : that folder)",
    )
    .option("--message <text>", "commit message (default: Upload folder using hubpush)")
    .option("--commit-description <text>", "commit description, below the message (default: none)")
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
    .addOption(
      watchOption("--mirror-deletes", "with --watch: delete remote files whose local file was deleted"),
    )
    .addOption(deleteOption)
    .option("--create-pr", "open a pull request with the first commit; later commits go to it (refs/pr/N)")
    .option(
      "--max-rate <rate>",
      "cap the upload bandwidth in bytes per second: 800k, 50M, 1.5G (powers of 1000), 100Mi (1024) or a number",
      optionParsers.byteRate,
    )
    .option("--json", "print the job's status as JSON instead of text")
    .option(
      "--transfer <mode>",
      "how large files travel: auto (Xet when the repo offers it, else LFS), xet or lfs (default: auto)",
    );
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
    ...(flags.commitDescription === undefined ? {} : { commitDescription: flags.commitDescription }),
    ...(flags.tokenFile === undefined ? {} : { tokenFile: flags.tokenFile }),
    include: flags.include ?? [],
    exclude: flags.exclude ?? [],
    ...(flags.private === true ? { private: true } : {}),
    ...(flags.public === true ? { public: true } : {}),
    ...(flags.spaceSdk === undefined ? {} : { spaceSdk: flags.spaceSdk }),
    watch: flags.watch === true,
    ...(flags.every === undefined ? {} : { every: flags.every }),
    mirrorDeletes: flags.mirrorDeletes === true || (bareDelete(flags) && flags.watch === true),
    ...(flags.createPr === true ? { createPr: true } : {}),
    deletePatterns: (flags.delete ?? []).filter((p) => p !== ""),
    ...(flags.transfer === undefined ? {} : { transfer: flags.transfer }),
  };
}

/** `--delete` given without a value: the old spelling of --mirror-deletes. */
function bareDelete(flags: JobFlags): boolean {
  return (flags.delete ?? []).includes("");
}

/**
 * Checks --mirror-deletes and --delete before anything else happens. `--delete GLOB` takes a
 * pattern; a bare `--delete` with --watch still means --mirror-deletes (one deprecation line on
 * stderr), and without --watch it is refused (it names no pattern). --mirror-deletes needs --watch.
 */
export function checkDeleteFlags(flags: JobFlags, stderr: NodeJS.WritableStream): void {
  const bare = bareDelete(flags);
  if (bare && (flags.delete ?? []).some((p) => p !== "")) {
    throw new HubpushError(
      "ERR_USAGE",
      "--delete was given once without a pattern: give a pattern to each --delete (e.g. --delete '*.txt')",
    );
  }
  if (bare && flags.watch !== true) {
    throw new HubpushError(
      "ERR_USAGE",
      "--delete needs a pattern: --delete '*.txt' deletes the matching remote files under --path-in-repo in the first commit; to mirror local deletions in watch mode, use --watch --mirror-deletes",
    );
  }
  if (flags.mirrorDeletes === true && flags.watch !== true) {
    throw new HubpushError(
      "ERR_USAGE",
      "--mirror-deletes mirrors deletions seen while watching: add --watch (with `hubpush add`)",
    );
  }
  if (bare) {
    stderr.write(
      "hubpush: --delete with --watch is deprecated, use --mirror-deletes (--delete GLOB deletes matching remote files)\n",
    );
  }
}
