import path from "node:path";
import type { Command } from "commander";
import { HubpushError } from "../../common/hubpush-error.js";
import type { HubRepo } from "../../core/hub/hub-client.js";
import {
  normalizeEndpoint,
  normalizePathInRepo,
  validateRepoId,
  validateRevision,
} from "../../core/job-input.js";
import { singleFilePathInRepo } from "../../core/verify/compare-target.js";
import type { JobSpec, RepoType } from "../../storage/journal.js";
import type { CliConfig } from "../cli-config.js";
import { optionParsers } from "../option-parsers.js";

/** The job options `verify` and `plan` share with `upload`: those that decide what lands where. */
export interface TargetFlags {
  readonly repo: string;
  readonly repoType?: string;
  readonly revision?: string;
  readonly pathInRepo?: string;
  readonly include?: string[];
  readonly exclude?: string[];
  readonly tokenFile?: string;
  readonly endpoint?: string;
  readonly json?: boolean;
}

/** What the flags resolve to: the repo, the branch, the target and the journal identities to look up. */
export interface ResolvedTarget {
  readonly given: string;
  readonly repo: HubRepo;
  readonly endpoint: string;
  readonly revision: string;
  readonly pathInRepo: string;
  /** --path-in-repo ended with "/" (a single file goes into that folder). */
  readonly pathInRepoIsFolder: boolean;
  readonly include: readonly string[];
  readonly exclude: readonly string[];
  readonly tokenFile: string | null;
}

const REPO_TYPES: readonly RepoType[] = ["model", "dataset", "space"];

/** Declares the shared options, described as `upload` describes them. */
export function targetFlags(command: Command): Command {
  return command
    .requiredOption("--repo <ns/name>", "the Hub repo, e.g. alice/my-model")
    .option("--repo-type <type>", "model, dataset or space (default: model)")
    .option("--revision <branch>", "the branch (default: main)")
    .option(
      "--path-in-repo <path>",
      "folder inside the repo (default: the root); for a file, its full path in the repo (default: its name)",
    )
    .option(
      "--include <glob>",
      "only files matching this glob, as upload (repeatable)",
      optionParsers.collect,
    )
    .option(
      "--exclude <glob>",
      "skip files matching this glob, as upload (repeatable)",
      optionParsers.collect,
    )
    .option(
      "--token-file <file>",
      "read the Hub token from this file (default: $HF_TOKEN, then $HF_HOME/token)",
    )
    .option("--endpoint <url>", "Hub endpoint (default: $HF_ENDPOINT or https://huggingface.co)")
    .option("--json", "print the result as JSON (docs/cli.md)");
}

/** Validates the flags the way `upload` does (same codes), without touching the journal. */
export function resolveTarget(given: string, flags: TargetFlags, config: CliConfig): ResolvedTarget {
  const repoType = flags.repoType ?? "model";
  if (!REPO_TYPES.includes(repoType as RepoType)) {
    throw new HubpushError(
      "ERR_REPO_TYPE_INVALID",
      `repo type "${repoType}" is not one of model, dataset, space`,
    );
  }
  return {
    given: path.resolve(config.cwd, given),
    repo: { type: repoType as RepoType, id: validateRepoId(flags.repo) },
    endpoint: normalizeEndpoint(config.endpoint),
    revision: validateRevision(flags.revision ?? "main"),
    pathInRepo: normalizePathInRepo(flags.pathInRepo ?? ""),
    pathInRepoIsFolder: flags.pathInRepo?.endsWith("/") === true,
    include: flags.include ?? [],
    exclude: flags.exclude ?? [],
    tokenFile: flags.tokenFile === undefined ? null : path.resolve(config.cwd, flags.tokenFile),
  };
}

/**
 * The journal identity an upload of this target would have (storage JobSpec): the folder as
 * `upload` resolves it (path.resolve, not realpath); for a single file, the file itself with its
 * full path in the repo (a one-file job's only row is named after the file).
 */
export function jobSpecsOf(target: ResolvedTarget, single: boolean): JobSpec[] {
  const base = {
    endpoint: target.endpoint,
    repoType: target.repo.type,
    repoId: target.repo.id,
    revision: target.revision,
  };
  if (!single) return [{ ...base, folder: target.given, pathInRepo: target.pathInRepo }];
  const full = singleFilePathInRepo(
    target.pathInRepo,
    target.pathInRepoIsFolder,
    path.basename(target.given),
  );
  return [{ ...base, folder: target.given, pathInRepo: full }];
}
