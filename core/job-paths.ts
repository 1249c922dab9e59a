import path from "node:path";
import type { JobRecord } from "../storage/journal.js";

/**
 * Where a journaled file lives, on disk and in the repo. A folder job's files are relative to its
 * folder and its pathInRepo prefix. A one-file job has one row (named after the file, for messages)
 * and both places are the job's own: `folder` is the file, `pathInRepo` its full path in the repo.
 */
export function localPathOf(job: Pick<JobRecord, "folder" | "kind">, relPath: string): string {
  return job.kind === "file" ? job.folder : path.join(job.folder, relPath);
}

export function repoPathOf(job: Pick<JobRecord, "pathInRepo" | "kind">, relPath: string): string {
  if (job.kind === "file") return job.pathInRepo;
  return job.pathInRepo === "" ? relPath : `${job.pathInRepo}/${relPath}`;
}
