import { checkRepoLimits, type LimitWarning, type RepoLimits } from "../../core/plan/repo-limits.js";
import { compareEntries, resolveCompareTarget } from "../../core/verify/compare-target.js";
import type { JobOptions, JobSpec } from "../../storage/journal.js";

/**
 * The Hub's repository limits checked on the folder before `upload` starts (the same warnings as
 * `plan`, from the local files only: `plan` also counts what the repo already holds). A stat-only
 * walk with the upload's filters; a folder the walk cannot read is left to the upload to report.
 */
export async function uploadLimitWarnings(
  spec: JobSpec,
  options: JobOptions,
  excludeAbsolute: readonly string[],
  limits: RepoLimits,
): Promise<LimitWarning[]> {
  const targetOptions = {
    include: options.include,
    exclude: options.exclude,
    excludeAbsolute,
    pathInRepo: spec.pathInRepo,
  };
  try {
    const target = await resolveCompareTarget(spec.folder, targetOptions);
    const files: { path: string; size: number }[] = [];
    for await (const entry of compareEntries(target, targetOptions)) {
      if (entry.kind === "file")
        files.push({ path: target.remotePath(entry.file.path), size: entry.file.size });
    }
    return checkRepoLimits(files, limits);
  } catch {
    return [];
  }
}
