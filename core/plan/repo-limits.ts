/**
 * The Hub's repository limits (its upload guides; `upload_large_folder` warns on the same):
 * files per repo, entries (files + subfolders) per folder, a recommended and a hard file size.
 * Decimal units, as the Hub states them. Values can be lowered (HUBPUSH_REPO_LIMITS) for tests.
 */
export interface RepoLimits {
  /** Files in the whole repo after the upload (default 100,000). */
  readonly maxRepoFiles: number;
  /** Direct entries, files and subfolders, of one folder (default 10,000). */
  readonly maxFolderEntries: number;
  /** Above this a file gets a warning (default 20 GB = 20 × 10⁹ bytes). */
  readonly recommendedFileBytes: number;
  /** Above this the Hub refuses the file (default 50 GB); the upload fails it with ERR_FILE_TOO_LARGE. */
  readonly maxFileBytes: number;
}

export const DEFAULT_REPO_LIMITS: RepoLimits = Object.freeze({
  maxRepoFiles: 100_000,
  maxFolderEntries: 10_000,
  recommendedFileBytes: 20 * 10 ** 9,
  maxFileBytes: 50 * 10 ** 9,
});

export type LimitKind = "repo-files" | "folder-entries" | "file-size-recommended" | "file-size-refused";

export interface LimitWarning {
  readonly kind: LimitKind;
  /** The folder ("" = the repo root) or file concerned, as a path in the repo. */
  readonly path: string;
  readonly value: number;
  readonly limit: number;
  readonly message: string;
}

/** A file of the repo as it will be after the upload; `size` only for files this job uploads. */
export interface RepoFile {
  readonly path: string;
  readonly size: number | null;
}

/** Warnings for the repo as it will be: over-full repo and folders, files over the size limits. */
export function checkRepoLimits(files: Iterable<RepoFile>, limits: RepoLimits): LimitWarning[] {
  const warnings: LimitWarning[] = [];
  const entries = new Map<string, Set<string>>();
  let count = 0;
  const add = (folder: string, name: string): boolean => {
    let set = entries.get(folder);
    if (set === undefined) {
      set = new Set();
      entries.set(folder, set);
    }
    const known = set.has(name);
    set.add(name);
    return known;
  };
  for (const file of files) {
    if (file.size !== null && file.size > limits.maxFileBytes) {
      // Refused by the Hub: it will not land, so it counts in no folder.
      warnings.push({
        kind: "file-size-refused",
        path: file.path,
        value: file.size,
        limit: limits.maxFileBytes,
        message: `${file.path} is ${file.size} bytes, over the Hub's ${limits.maxFileBytes}-byte limit per file: the Hub refuses it (split it, or leave it out with --exclude)`,
      });
      continue;
    }
    count += 1;
    const parts = file.path.split("/");
    // From the file up: once a folder is already listed in its parent, so are its ancestors.
    for (let i = parts.length - 1; i >= 0; i--) {
      if (add(parts.slice(0, i).join("/"), parts[i] ?? "") && i < parts.length - 1) break;
    }
    if (file.size === null) continue;
    if (file.size > limits.recommendedFileBytes) {
      warnings.push({
        kind: "file-size-recommended",
        path: file.path,
        value: file.size,
        limit: limits.recommendedFileBytes,
        message: `${file.path} is ${file.size} bytes, over the ${limits.recommendedFileBytes} bytes the Hub recommends per file: consider splitting it`,
      });
    }
  }
  // Stable order whatever order the files came in: the repo, files by path, then folders by path.
  warnings.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const [folder, names] of [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (names.size <= limits.maxFolderEntries) continue;
    warnings.push({
      kind: "folder-entries",
      path: folder,
      value: names.size,
      limit: limits.maxFolderEntries,
      message: `${folder === "" ? "the repo root" : `folder ${folder}`} will hold ${names.size} entries, over the Hub's ${limits.maxFolderEntries} per folder: spread the files over subfolders`,
    });
  }
  if (count > limits.maxRepoFiles) {
    warnings.unshift({
      kind: "repo-files",
      path: "",
      value: count,
      limit: limits.maxRepoFiles,
      message: `the repo will hold ${count} files, over the Hub's ${limits.maxRepoFiles} per repo: pack small files into archives (e.g. parquet, tar) or split the repo`,
    });
  }
  return warnings;
}
