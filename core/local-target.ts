import { type Stats, statSync } from "node:fs";
import path from "node:path";
import { HubpushError } from "../common/hubpush-error.js";
import type { JobKind } from "../storage/journal.js";

/** What a job's local path names, checked before the job exists. */
export interface LocalTarget {
  /** path.resolve'd (not realpath'd): the job's identity is the path the user gave, made absolute. */
  readonly absolute: string;
  readonly kind: JobKind;
}

function specialKind(stat: Stats): string {
  if (stat.isFIFO()) return "a FIFO (named pipe)";
  if (stat.isSocket()) return "a socket";
  if (stat.isBlockDevice()) return "a block device";
  if (stat.isCharacterDevice()) return "a character device";
  return "a special file";
}

/**
 * Stats the local path (following symlinks, as the scan does) and says whether it is a folder or a
 * regular file; anything else is refused before a job exists. A path ending in "/" must be a folder
 * (the shell's rule): `model.bin/` is refused rather than uploaded as a file.
 */
export function resolveLocalTarget(given: string, cwd: string): LocalTarget {
  const absolute = path.resolve(cwd, given);
  let stat: Stats;
  try {
    stat = statSync(given.endsWith("/") ? `${absolute}/` : absolute);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EACCES" || code === "EPERM") {
      throw new HubpushError(
        "ERR_FOLDER_UNREADABLE",
        `cannot read ${absolute}: permission denied; check its permissions and its parent folders'`,
      );
    }
    if (code === "ENOTDIR" && given.endsWith("/")) {
      throw new HubpushError(
        "ERR_FOLDER_NOT_DIRECTORY",
        `${given} ends with "/" but ${absolute} is not a folder: drop the trailing "/" to upload the file`,
      );
    }
    throw new HubpushError(
      "ERR_FOLDER_NOT_FOUND",
      `${absolute} does not exist${code === "ELOOP" ? " (its path loops through symlinks)" : ""}: check the path of the folder or file to upload`,
    );
  }
  if (stat.isDirectory()) return { absolute, kind: "folder" };
  if (stat.isFile()) return { absolute, kind: "file" };
  throw new HubpushError(
    "ERR_PATH_NOT_UPLOADABLE",
    `${absolute} is ${specialKind(stat)}: hubpush uploads a folder or a regular file`,
  );
}

/** The folder-only options of a job request, as parseJobInput has read them. */
export interface FolderOnlyOptions {
  readonly include: readonly string[];
  readonly exclude: readonly string[];
  readonly watch: boolean;
  readonly every: number | undefined;
  readonly mirrorDeletes: boolean;
  readonly deletePatterns: readonly string[];
}

/**
 * A single file has nothing for --include/--exclude to choose and nothing for --watch to follow.
 * Applying them anyway would be a silent surprise (an --exclude that matches uploads nothing), so
 * they are refused, naming the folder-based command that does what was probably meant.
 */
export function refuseFolderOptions(target: LocalTarget, options: FolderOnlyOptions): void {
  const name = JSON.stringify(path.basename(target.absolute));
  const folder = path.dirname(target.absolute);
  const given = [
    options.include.length > 0 ? "--include" : null,
    options.exclude.length > 0 ? "--exclude" : null,
  ].filter((f): f is string => f !== null);
  if (given.length > 0) {
    throw new HubpushError(
      "ERR_FOLDER_ONLY_OPTION",
      `${target.absolute} is a single file: ${given.join(" and ")} ${given.length > 1 ? "choose files inside a folder and have" : "chooses files inside a folder and has"} nothing to choose here; drop ${given.length > 1 ? "them" : "it"}, or upload the folder ${folder} with --include ${name}`,
    );
  }
  if (options.deletePatterns.length > 0) {
    // hf upload ignores --delete with a file; refusing says so instead of dropping it silently.
    throw new HubpushError(
      "ERR_FOLDER_ONLY_OPTION",
      `${target.absolute} is a single file: --delete chooses remote files under a folder's path in the repo; drop it, or upload the folder ${folder} with --include ${name} --delete …`,
    );
  }
  const watching = [
    options.watch ? "--watch" : null,
    options.every === undefined ? null : "--every",
    options.mirrorDeletes ? "--mirror-deletes" : null,
  ].filter((f): f is string => f !== null);
  if (watching.length > 0) {
    throw new HubpushError(
      "ERR_FOLDER_ONLY_OPTION",
      `${target.absolute} is a single file: ${watching.join(", ")} follow${watching.length > 1 ? "" : "s"} the changes of a folder, a single file cannot be watched; to watch it, add its folder: hubpush add ${folder} --watch --include ${name}`,
    );
  }
}
