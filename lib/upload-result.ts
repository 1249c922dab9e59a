import { pullRequestOf } from "../core/pull-request-of.js";
import type { CountJson } from "../daemon/job-status-json.js";
import type { JobRecord, Journal, RepoType } from "../storage/journal.js";

/** One commit an upload made. */
export interface CommitInfo {
  /** The commit's oid (40 hex digits). */
  readonly oid: string;
  /** The commit's page on the Hub, e.g. https://huggingface.co/alice/m/commit/<oid>. */
  readonly url: string;
}

/** Files and bytes of an upload by outcome (the whole job, including earlier interrupted calls). */
export interface UploadCounts {
  /** Sent in a commit. */
  readonly committed: CountJson;
  /** Already on the Hub with identical content: nothing sent. */
  readonly skipped: CountJson;
  /** The Hub said to ignore them (its own ignore rules). */
  readonly ignored: CountJson;
  /** Could not be uploaded (the call rejects with ERR_JOB_FAILED when this is not 0). */
  readonly failed: CountJson;
  /** Deleted locally before they were committed. */
  readonly vanished: CountJson;
  /** Every file the job saw. */
  readonly total: CountJson;
}

/** What an upload call resolves with. */
export interface UploadResult {
  /** The journal's job id (the same job a later call with the same target resumes). */
  readonly jobId: number;
  /** The commits made by this call, oldest first; empty when everything was already on the Hub. */
  readonly commits: readonly CommitInfo[];
  /** The pull request the upload committed to (createPr, or a revision refs/pr/N), when there is one. */
  readonly pullRequest?: { readonly number: number; readonly url: string };
  readonly counts: UploadCounts;
}

export function repoUrlPrefix(repoType: RepoType): string {
  return repoType === "dataset" ? "datasets/" : repoType === "space" ? "spaces/" : "";
}

export function commitUrl(endpoint: string, repoType: RepoType, repoId: string, oid: string): string {
  return `${endpoint}/${repoUrlPrefix(repoType)}${repoId}/commit/${oid}`;
}

/** The result of a settled job: commits newer than `lastCommitBefore` (this call's), and counts. */
export function uploadResultOf(journal: Journal, job: JobRecord, lastCommitBefore: number): UploadResult {
  const repoId = job.movedRepoId ?? job.repoId;
  const commits = journal.commits
    .list(job.id)
    .filter((c) => c.id > lastCommitBefore && c.commitOid !== null)
    .sort((a, b) => a.id - b.id)
    .map((c) => ({
      oid: c.commitOid as string,
      url: commitUrl(job.endpoint, job.repoType, repoId, c.commitOid as string),
    }));
  const { byState, total } = journal.jobs.counts(job.id);
  const pick = (s: keyof typeof byState): CountJson => ({ files: byState[s].files, bytes: byState[s].bytes });
  const pullRequest = pullRequestOf(journal.jobs.get(job.id) ?? job);
  return {
    jobId: job.id,
    commits,
    ...(pullRequest === null ? {} : { pullRequest }),
    counts: {
      committed: pick("committed"),
      skipped: pick("skipped"),
      ignored: pick("ignored"),
      failed: pick("failed"),
      vanished: pick("vanished"),
      total: { files: total.files, bytes: total.bytes },
    },
  };
}
