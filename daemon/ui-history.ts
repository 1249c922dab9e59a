import type { JobRecord, Journal } from "../storage/journal.js";

/** GET /v1/jobs/history: what the job view draws besides the live status (docs/control-api.md). */
export interface JobHistoryJson {
  readonly jobId: number;
  /** [epoch ms, upload bytes/s, hash bytes/s], oldest first, over the last `minutes`. */
  readonly samples: ReadonlyArray<readonly [number, number, number]>;
  readonly commits: ReadonlyArray<{
    readonly id: number;
    readonly state: string;
    readonly oid: string | null;
    /** The commit's page on the Hub (null until the Hub answered with an oid). */
    readonly url: string | null;
    readonly message: string;
    readonly files: number;
    readonly at: string;
  }>;
}

const TYPE_PREFIX: Readonly<Record<JobRecord["repoType"], string>> = {
  model: "",
  dataset: "datasets/",
  space: "spaces/",
};

/** The Hub's web page of a commit: {endpoint}/{datasets/|spaces/}{repo}/commit/{oid}. */
export function hubCommitUrl(job: JobRecord, oid: string): string {
  return `${job.endpoint}/${TYPE_PREFIX[job.repoType]}${job.repoId}/commit/${encodeURIComponent(oid)}`;
}

/** The newest commits shown (a watch job running for months makes many). */
const COMMITS_SHOWN = 50;

export function jobHistory(
  journal: Journal,
  job: JobRecord,
  minutes: number,
  now = Date.now(),
): JobHistoryJson {
  const samples = journal.throughput
    .readThroughput(job.id, now - minutes * 60_000)
    .map((s) => [s.at, s.uploadBytesPerSec, s.hashBytesPerSec] as const);
  const commits = journal.commits
    .list(job.id)
    .slice(-COMMITS_SHOWN)
    .reverse()
    .map((c) => ({
      id: c.id,
      state: c.state,
      oid: c.commitOid,
      url: c.commitOid === null ? null : hubCommitUrl(job, c.commitOid),
      message: c.message,
      files: c.fileCount,
      at: new Date(c.settledAt ?? c.createdAt).toISOString(),
    }));
  return { jobId: job.id, samples, commits };
}
