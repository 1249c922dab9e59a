import type { JobRecord } from "../storage/journal.js";

const PR_REF = /^refs\/pr\/(\d+)$/;

/**
 * The pull request a job writes to: the one it opened (--create-pr, journaled), or the one its
 * --revision refs/pr/N names; null otherwise. The URL has the form of the Hub's `pullRequestUrl`
 * (hub-protocol.md §6): `{endpoint}/{prefix}{repo}/discussions/N`, with a moved repo's new name.
 */
export function pullRequestOf(
  job: Pick<JobRecord, "endpoint" | "repoType" | "repoId" | "revision" | "pullRequest" | "movedRepoId">,
): { readonly number: number; readonly url: string } | null {
  const fromRevision = PR_REF.exec(job.revision)?.[1];
  const num = job.pullRequest ?? (fromRevision === undefined ? null : Number(fromRevision));
  if (num === null) return null;
  const prefix = job.repoType === "model" ? "" : `${job.repoType}s/`;
  return { number: num, url: `${job.endpoint}/${prefix}${job.movedRepoId ?? job.repoId}/discussions/${num}` };
}
