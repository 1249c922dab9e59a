import type { Engine, JobProgress } from "../core/engine.js";
import { FILE_STATES, type JobState, type Journal } from "../storage/journal.js";
import type { ControlMetrics } from "./control-metrics.js";
import { PrometheusText, type Sample } from "./prometheus-text.js";

export interface RenderMetricsInput {
  readonly journal: Journal;
  readonly engine: Engine;
  readonly control: ControlMetrics;
  /** Epoch ms the daemon started. */
  readonly startedAt: number;
}

const JOB_STATES: readonly JobState[] = ["active", "paused", "blocked", "cancelled", "done"];

/** GET /v1/metrics: per-job figures from the journal's maintained counters (no table scans). */
export function renderMetrics(input: RenderMetricsInput): string {
  const jobs: JobProgress[] = input.journal.jobs.list().map((job) => input.engine.progress(job.id));
  const labels = (p: JobProgress) => ({ job: p.job.id, repo: p.job.repoId });
  const perJob = (value: (p: JobProgress) => number): Sample[] =>
    jobs.map((p) => ({ labels: labels(p), value: value(p) }));
  const perState = (pick: "files" | "bytes"): Sample[] =>
    jobs.flatMap((p) =>
      FILE_STATES.map((state) => ({ labels: { ...labels(p), state }, value: p.byState[state]?.[pick] ?? 0 })),
    );
  const out = new PrometheusText();
  out.gauge("hubpush_job_files", "Files of a job in each state.", perState("files"));
  out.gauge("hubpush_job_bytes", "Bytes of a job's files in each state.", perState("bytes"));
  out.gauge(
    "hubpush_job_waiting_files",
    "Files of a job waiting for a retry after a transient error.",
    perJob((p) => p.waiting),
  );
  out.gauge(
    "hubpush_job_state",
    "1 for the state the job is in, 0 for the others.",
    jobs.flatMap((p) =>
      JOB_STATES.map((state) => ({ labels: { ...labels(p), state }, value: p.job.state === state ? 1 : 0 })),
    ),
  );
  out.gauge(
    "hubpush_job_last_error_timestamp_seconds",
    "When the job last recorded an error (file or call), by error code; absent when none.",
    jobs.flatMap((p) =>
      p.job.lastError === null
        ? []
        : [{ labels: { ...labels(p), code: p.job.lastError.code }, value: p.job.lastError.at / 1000 }],
    ),
  );
  out.counter(
    "hubpush_job_commits_total",
    "Commits a job has made.",
    perJob((p) => p.job.commitsMade),
  );
  out.counter(
    "hubpush_job_hashed_bytes_total",
    "Bytes read by the hash stage for a job (re-hashing counts again).",
    perJob((p) => p.job.bytesHashed),
  );
  out.gauge(
    "hubpush_job_upload_bytes_per_second",
    "Smoothed upload rate of a job.",
    perJob((p) => p.uploadRate),
  );
  out.gauge(
    "hubpush_job_hash_bytes_per_second",
    "Smoothed hashing rate of a job.",
    perJob((p) => p.hashRate),
  );
  const xetJobs = jobs.filter((p) => (p.xet ?? null) !== null);
  const perXetJob = (value: (p: JobProgress) => number): Sample[] =>
    xetJobs.map((p) => ({ labels: labels(p), value: value(p) }));
  out.counter(
    "hubpush_job_xet_sent_bytes_total",
    "Xorb and shard bytes a job sent to the Xet CAS.",
    perXetJob((p) => p.xet?.bytesSent ?? 0),
  );
  out.counter(
    "hubpush_job_xet_deduplicated_bytes_total",
    "File bytes a job did not send because the Xet CAS already held them.",
    perXetJob((p) => p.xet?.bytesDeduped ?? 0),
  );
  out.counter(
    "hubpush_job_xet_xorbs_stored_total",
    "Xorbs a job stored in the Xet CAS.",
    perXetJob((p) => p.xet?.xorbsStored ?? 0),
  );
  out.gauge(
    "hubpush_job_xet_dedup_ratio",
    "Share (0..1) of a job's Xet file bytes the CAS already held.",
    perXetJob((p) => {
      const x = p.xet;
      return x === null || x === undefined || x.bytesChunked === 0 ? 0 : x.bytesDeduped / x.bytesChunked;
    }),
  );
  out.gauge("hubpush_events_last_id", "Id of the newest event in the journal.", [
    { value: input.journal.events.lastId() },
  ]);
  const settings = input.engine.settings();
  out.gauge("hubpush_settings_upload_workers", "Concurrent LFS transfers allowed.", [
    { value: settings.uploadWorkers },
  ]);
  out.gauge("hubpush_settings_hash_workers", "Hashing threads.", [{ value: settings.hashWorkers }]);
  out.gauge(
    "hubpush_settings_max_rate_bytes_per_second",
    "Upload bandwidth cap; absent when unlimited.",
    settings.maxRateBytesPerSec === null ? [] : [{ value: settings.maxRateBytesPerSec }],
  );
  out.gauge("hubpush_daemon_start_time_seconds", "When the daemon started, seconds since the epoch.", [
    { value: input.startedAt / 1000 },
  ]);
  input.control.writeTo(out);
  return out.toString();
}
