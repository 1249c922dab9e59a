-- hubpush journal, schema 4: throughput samples for the status page's chart (docs/ui.md).
-- The daemon records each running job's smoothed upload and hashing rates every few seconds, so the
-- chart of the last hour survives a page reload and a daemon restart. Old samples are pruned.

CREATE TABLE throughput_samples (
  job_id INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  -- Epoch ms of the sample.
  at INTEGER NOT NULL,
  upload_bps REAL NOT NULL,
  hash_bps REAL NOT NULL,
  PRIMARY KEY (job_id, at)
) STRICT, WITHOUT ROWID;

CREATE INDEX throughput_samples_by_at ON throughput_samples (at);
