import type { JobStatusJson } from "../../daemon/job-status-json.js";

/**
 * The repo's web page at the job's branch: `<endpoint>/<datasets/|spaces/>ns/name/tree/<rev>[/folder]`
 * for a folder job, `…/blob/<rev>/<path>` (the file's page) for a one-file job.
 */
export function repoUrl(repo: JobStatusJson["repo"], kind: JobStatusJson["kind"] = "folder"): string {
  const prefix = repo.type === "model" ? "" : `${repo.type}s/`;
  const folder = repo.pathInRepo === "" ? "" : `/${repo.pathInRepo}`;
  const view = kind === "file" ? "blob" : "tree";
  return `${repo.endpoint}/${prefix}${repo.id}/${view}/${encodeURIComponent(repo.revision)}${folder}`;
}
