import type { JobStatusJson } from "../../daemon/job-status-json.js";

/** The repo's web page at the job's branch (and folder): `<endpoint>/<datasets/|spaces/>ns/name/tree/<rev>`. */
export function repoUrl(repo: JobStatusJson["repo"]): string {
  const prefix = repo.type === "model" ? "" : `${repo.type}s/`;
  const folder = repo.pathInRepo === "" ? "" : `/${repo.pathInRepo}`;
  return `${repo.endpoint}/${prefix}${repo.id}/tree/${encodeURIComponent(repo.revision)}${folder}`;
}
