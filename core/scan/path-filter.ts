import { readFile, realpath } from "node:fs/promises";
import { join, resolve, sep } from "node:path";
import type { Ignore } from "ignore";
import picomatch from "picomatch";
import { HubpushError } from "../../common/hubpush-error.js";

export interface PathFilterOptions {
  /** Include globs; empty = everything. */
  readonly include?: readonly string[];
  /** Exclude globs; exclude wins over include. */
  readonly exclude?: readonly string[];
  /** Absolute paths never scanned, nor reached through a symlink. */
  readonly excludeAbsolute?: readonly string[];
  /** Read the root .gitignore. Default true. */
  readonly useGitignore?: boolean;
}

/**
 * Decides what a scan keeps, in this order: default ignores and excludeAbsolute, then the root
 * .gitignore, then --exclude, then --include. Directories are decided once, on the way down, so a
 * pruned directory is never listed and an included directory includes everything inside it.
 */
export interface PathFilter {
  /** `.git`, `.cache/huggingface` (any depth) or under an excludeAbsolute path: never scanned. */
  isHidden(relPath: string, absPath: string): boolean;
  /** null: do not descend; else whether an include pattern already covers everything inside. */
  directory(relPath: string, insideIncluded: boolean): { included: boolean } | null;
  /** Whether a non-directory entry (file, symlink, special file) is kept. */
  file(relPath: string, insideIncluded: boolean): boolean;
}

type GlobTest = (relPath: string, isDirectory: boolean) => boolean;

export async function createPathFilter(root: string, options: PathFilterOptions = {}): Promise<PathFilter> {
  const hiddenAbsolute = await resolveAbsolutes(options.excludeAbsolute ?? []);
  const gitignore = options.useGitignore === false ? null : await loadGitignore(root);
  const excluded = compileGlobs(options.exclude ?? []);
  const includes = options.include ?? [];
  const included = includes.length === 0 ? null : compileGlobs(includes);
  // Asked for every entry of a scan: nothing built per call.
  const hiddenPrefixes = hiddenAbsolute.map((hidden) => hidden + sep);
  const keepsEveryFile = gitignore === null && (options.exclude ?? []).length === 0 && included === null;

  return {
    isHidden(relPath, absPath) {
      if (isDefaultIgnored(relPath)) return true;
      for (let i = 0; i < hiddenAbsolute.length; i++) {
        if (absPath === hiddenAbsolute[i] || absPath.startsWith(hiddenPrefixes[i] as string)) return true;
      }
      return false;
    },
    directory(relPath, insideIncluded) {
      if (gitignore?.ignores(`${relPath}/`)) return null;
      if (excluded(relPath, true)) return null;
      return { included: insideIncluded || (included?.(relPath, true) ?? false) };
    },
    file(relPath, insideIncluded) {
      if (keepsEveryFile) return true;
      if (gitignore?.ignores(relPath)) return false;
      if (excluded(relPath, false)) return false;
      return included === null || insideIncluded || included(relPath, false);
    },
  };
}

/** The Hub tools' default ignores: any `.git` entry and any `.cache/huggingface`, at any depth. */
export function isDefaultIgnored(relPath: string): boolean {
  // Called for every entry a scan walks: substring searches, no split into an array per path.
  return hasSegments(relPath, ".git") || hasSegments(relPath, ".cache/huggingface");
}

const SLASH = 47;

/** Whether `segments` occurs in `relPath` as whole path segments (bounded by `/` or the ends). */
function hasSegments(relPath: string, segments: string): boolean {
  for (let at = relPath.indexOf(segments); at !== -1; at = relPath.indexOf(segments, at + 1)) {
    const end = at + segments.length;
    if (
      (at === 0 || relPath.charCodeAt(at - 1) === SLASH) &&
      (end === relPath.length || relPath.charCodeAt(end) === SLASH)
    )
      return true;
  }
  return false;
}

/**
 * Globs with picomatch (`dot: true`), matched against the POSIX relative path. A pattern without a
 * slash also matches the last path segment (`*.bin` matches `a/b.bin`); a trailing slash matches
 * directories only. A pattern that matches a directory covers everything inside it.
 */
function compileGlobs(patterns: readonly string[]): GlobTest {
  const tests: GlobTest[] = [];
  for (const pattern of patterns) {
    const directoryOnly = pattern.endsWith("/");
    const body = pattern.replace(/\/+$/, "");
    if (body === "") continue;
    const matchBase = !body.includes("/");
    const isMatch = picomatch(body, { dot: true });
    tests.push((relPath, isDirectory) => {
      if (directoryOnly && !isDirectory) return false;
      if (isMatch(relPath)) return true;
      return matchBase && isMatch(relPath.slice(relPath.lastIndexOf("/") + 1));
    });
  }
  return (relPath, isDirectory) => tests.some((test) => test(relPath, isDirectory));
}

/**
 * The same globs for remote paths (--delete GLOB): a file matches when its path, or its last
 * segment for a pattern without a slash, or one of its folders matches (`logs/` covers `logs/a/b`).
 */
export function remoteGlobMatcher(patterns: readonly string[]): (repoRelPath: string) => boolean {
  const test = compileGlobs(patterns);
  return (relPath) => {
    if (test(relPath, false)) return true;
    for (let at = relPath.indexOf("/"); at > 0; at = relPath.indexOf("/", at + 1)) {
      if (test(relPath.slice(0, at), true)) return true;
    }
    return false;
  };
}

async function loadGitignore(root: string): Promise<Ignore | null> {
  const path = join(root, ".gitignore");
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    const errno = (err as NodeJS.ErrnoException).code;
    if (errno === "ENOENT" || errno === "EISDIR" || errno === "ENOTDIR") return null;
    // Scanning without the user's ignore rules could upload what they meant to keep private.
    throw new HubpushError(
      "ERR_FOLDER_UNREADABLE",
      `cannot read ${path} (${errno ?? "error"}); make it readable, or delete it if its rules do not matter`,
      { details: { path }, cause: err },
    );
  }
  // Loaded on use: most folders have no .gitignore (a restart's start-up).
  const { default: ignore } = await import("ignore");
  // Git on Linux matches case-sensitively; names made only of dots are valid file names.
  return ignore({ ignorecase: false, allowRelativePaths: true }).add(text);
}

/** Both the given form and the real path, so a state dir reached through a symlink is still hidden. */
async function resolveAbsolutes(paths: readonly string[]): Promise<string[]> {
  const out = new Set<string>();
  for (const path of paths) {
    const absolute = resolve(path);
    out.add(absolute);
    const real = await realpath(absolute).catch(() => null);
    if (real !== null) out.add(real);
  }
  return [...out];
}
