import { stat } from "node:fs/promises";
import path from "node:path";
import { HubpushError } from "../../common/hubpush-error.js";
import type { ScannedFile } from "../../storage/journal.js";
import { toFileStat } from "../hash/to-file-stat.js";
import { checkFolder } from "../scan/check-folder.js";
import { createPathFilter, isDefaultIgnored, type PathFilter } from "../scan/path-filter.js";
import { scanFolder } from "../scan/scan-folder.js";

/** What `verify` and `plan` compare: a folder (with the upload's filters) or one file. */
export interface CompareTarget {
  /** Absolute folder the local paths are relative to (a single file's parent folder). */
  readonly root: string;
  /** The single file's name inside root, or null for a folder. */
  readonly single: string | null;
  /** Folder job: the prefix in the repo ("" = root). Single file: its full path in the repo. */
  readonly pathInRepo: string;
  /** Path in the repo of a local path (relative to root). */
  remotePath(localPath: string): string;
  /** Whether a remote path belongs to what this target uploads (under the prefix, kept by the filters). */
  covers(remotePath: string): boolean;
  /** The local path (relative to root) of a remote path that `covers` accepted. */
  localPath(remotePath: string): string;
}

export interface CompareTargetOptions {
  readonly include: readonly string[];
  readonly exclude: readonly string[];
  /** Absolute paths never scanned (the state directory). */
  readonly excludeAbsolute: readonly string[];
  /** --path-in-repo as given, normalized ("" when absent). */
  readonly pathInRepo: string;
  /** --path-in-repo ended with "/": for a single file, the folder it goes into (as `upload FILE`). */
  readonly pathInRepoIsFolder?: boolean;
}

/**
 * A single file's full path in the repo, as `upload FILE` decides it: its name by default, the
 * given path as is, or the given folder (a value ending in "/") plus its name.
 */
export function singleFilePathInRepo(pathInRepo: string, isFolder: boolean, name: string): string {
  if (pathInRepo === "") return name;
  return isFolder ? `${pathInRepo}/${name}` : pathInRepo;
}

/** A found local file, or an entry the scan left out (FIFO, escaping symlink…) with its reason. */
export type CompareEntry =
  | { readonly kind: "file"; readonly file: ScannedFile }
  | { readonly kind: "skipped"; readonly path: string; readonly code: string; readonly reason: string }
  | { readonly kind: "warning"; readonly path: string; readonly message: string };

/**
 * Resolves the target: a folder keeps the upload's rules (the same scan, .gitignore, --include /
 * --exclude); a file stands for itself, at its base name in the repo or at --path-in-repo taken
 * as its full path.
 */
export async function resolveCompareTarget(
  given: string,
  options: CompareTargetOptions,
): Promise<CompareTarget> {
  const absolute = path.resolve(given);
  const st = await stat(absolute).catch(() => null);
  if (st?.isFile()) {
    const name = path.basename(absolute);
    const full = singleFilePathInRepo(options.pathInRepo, options.pathInRepoIsFolder === true, name);
    return {
      root: path.dirname(absolute),
      single: name,
      pathInRepo: full,
      remotePath: () => full,
      covers: (remote) => remote === full,
      localPath: () => name,
    };
  }
  const root = await checkFolder(absolute);
  const filter = await createPathFilter(root, {
    include: options.include,
    exclude: options.exclude,
    excludeAbsolute: options.excludeAbsolute,
  });
  const prefix = options.pathInRepo === "" ? "" : `${options.pathInRepo}/`;
  return {
    root,
    single: null,
    pathInRepo: options.pathInRepo,
    remotePath: (local) => prefix + local,
    covers: (remote) => remote.startsWith(prefix) && keeps(filter, remote.slice(prefix.length)),
    localPath: (remote) => remote.slice(prefix.length),
  };
}

/** The scan's decision for a path it would reach: every folder on the way kept, then the file. */
function keeps(filter: PathFilter, relPath: string): boolean {
  if (relPath === "" || isDefaultIgnored(relPath)) return false;
  const parts = relPath.split("/");
  let included = false;
  for (let i = 1; i < parts.length; i++) {
    const decision = filter.directory(parts.slice(0, i).join("/"), included);
    if (decision === null) return false;
    included = decision.included;
  }
  return filter.file(relPath, included);
}

/** The target's local files (the upload's scan for a folder; the file itself otherwise). */
export async function* compareEntries(
  target: CompareTarget,
  options: CompareTargetOptions & {
    readonly signal?: AbortSignal;
    /** Also the files the filters leave out (to count them); the caller filters with `covers`. */
    readonly everything?: boolean;
  },
): AsyncGenerator<CompareEntry> {
  if (target.single !== null) {
    const absolute = path.join(target.root, target.single);
    const st = await stat(absolute, { bigint: true }).catch((err: unknown) => {
      throw new HubpushError(
        "ERR_FOLDER_NOT_FOUND",
        `${absolute} cannot be read (${String(err)}); check the path`,
      );
    });
    yield { kind: "file", file: { path: target.single, ...toFileStat(st) } };
    return;
  }
  const all = options.everything === true;
  for await (const entry of scanFolder(target.root, {
    include: all ? [] : options.include,
    exclude: all ? [] : options.exclude,
    useGitignore: !all,
    excludeAbsolute: options.excludeAbsolute,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  })) {
    yield entry;
  }
}
