import { statSync } from "node:fs";
import path from "node:path";
import { HubpushError } from "../common/hubpush-error.js";
import type { JobFlags } from "./job-flags.js";

/** `upload`'s flags as commander hands them over: --repo is optional (the `hf upload` form). */
export type UploadFlags = Omit<JobFlags, "repo"> & { readonly repo?: string };

export interface UploadTarget {
  readonly folder: string;
  readonly flags: JobFlags;
}

/** What `hf upload` would take for a repo id: `name` or `namespace/name` (validated later, fully). */
const LOOKS_LIKE_REPO_ID = /^\w(?:[\w.-]*\w)?(?:\/\w(?:[\w.-]*\w)?)?$/;

function kindOf(absolute: string): "folder" | "file" | "other" | null {
  try {
    const stat = statSync(absolute);
    return stat.isDirectory() ? "folder" : stat.isFile() ? "file" : "other";
  } catch {
    return null;
  }
}

function usage(message: string): HubpushError {
  return new HubpushError("ERR_USAGE", message);
}

/**
 * The two forms of `hubpush upload`:
 * - `upload FOLDER --repo NS/NAME [--path-in-repo P]` (hubpush's own, unchanged);
 * - `upload REPO_ID [LOCAL_PATH] [PATH_IN_REPO]` without --repo, with `hf upload`'s defaults: the
 *   local path is `.`, the path in the repo is the root for a folder and the file's name for a file.
 * A single argument that is both a local path and a possible repo id is refused with both readings,
 * never guessed: uploading the wrong folder, or to the wrong repo, cannot be undone by a re-run.
 */
export function resolveUploadTarget(args: readonly string[], flags: UploadFlags, cwd: string): UploadTarget {
  if (flags.repo !== undefined) {
    const [folder, ...extra] = args;
    if (folder === undefined) throw usage("give the folder to upload: hubpush upload FOLDER --repo NS/NAME");
    if (extra.length > 0) {
      throw usage(
        `with --repo, upload takes one folder; got also ${extra.map((a) => JSON.stringify(a)).join(" ")} (a folder inside the repo goes in --path-in-repo)`,
      );
    }
    return { folder, flags: { ...flags, repo: flags.repo } };
  }
  const [repo, localPath, pathInRepo, ...extra] = args;
  if (repo === undefined) {
    throw usage(
      "give the repo: hubpush upload REPO_ID [LOCAL_PATH] [PATH_IN_REPO], or hubpush upload FOLDER --repo NS/NAME",
    );
  }
  if (extra.length > 0) {
    throw usage(
      `upload takes at most REPO_ID LOCAL_PATH PATH_IN_REPO; got also ${extra.map((a) => JSON.stringify(a)).join(" ")}`,
    );
  }
  const firstKind = kindOf(path.resolve(cwd, repo));
  if (localPath === undefined && firstKind !== null) {
    const asRepo = LOOKS_LIKE_REPO_ID.test(repo);
    throw usage(
      asRepo
        ? `"${repo}" is ambiguous: it can be read as\n  1. the repo ${repo}, uploading the current folder: hubpush upload ${repo} .\n  2. the local ${firstKind} ${repo}, to a repo you have not named: hubpush upload ${repo} --repo NS/NAME\nwrite one of these two commands`
        : `"${repo}" is a local ${firstKind}, not a repo id: name the repo with hubpush upload NS/NAME ${repo}, or hubpush upload ${repo} --repo NS/NAME`,
    );
  }
  if (pathInRepo !== undefined && flags.pathInRepo !== undefined) {
    throw usage(
      `the path in the repo was given twice ("${pathInRepo}" and --path-in-repo "${flags.pathInRepo}"): keep one`,
    );
  }
  // A file's default path in the repo (its name) is parseJobInput's rule, the same for every form.
  const folder = localPath ?? ".";
  return {
    folder,
    flags: { ...flags, repo, ...(pathInRepo === undefined ? {} : { pathInRepo }) },
  };
}
