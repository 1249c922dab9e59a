-- hubpush journal: Xet uploads (docs/xet.md, docs/journal.md "Xet tables"). Xorbs and the chunk
-- index belong to an endpoint (its CAS), not to a job, so later jobs and later versions of a file
-- dedup against everything uploaded before. A xorb is `built` before its POST and `uploaded` once
-- the CAS answered 200; only uploaded xorbs enter the chunk index, so nothing references a xorb the
-- CAS may not hold.

CREATE TABLE xet_xorbs (
  endpoint TEXT NOT NULL,
  -- String form (xet-protocol.md §3.2).
  hash TEXT NOT NULL,
  -- chunk_count × 36 bytes: raw chunk hash (32) + uncompressed length (u32 LE), in xorb order.
  chunks BLOB NOT NULL,
  chunk_count INTEGER NOT NULL,
  unpacked_bytes INTEGER NOT NULL,
  serialized_bytes INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('built', 'uploaded')),
  created_at INTEGER NOT NULL,
  uploaded_at INTEGER,
  PRIMARY KEY (endpoint, hash)
) STRICT;

-- The persistent chunk index: chunk hash → (uploaded xorb, chunk index). The first xorb wins.
CREATE TABLE xet_chunk_index (
  endpoint TEXT NOT NULL,
  chunk_hash BLOB NOT NULL,
  xorb_hash TEXT NOT NULL,
  chunk_index INTEGER NOT NULL,
  PRIMARY KEY (endpoint, chunk_hash)
) STRICT, WITHOUT ROWID;

CREATE INDEX xet_chunk_index_by_xorb ON xet_chunk_index (endpoint, xorb_hash);

-- One row per file version sent with Xet: chunked → xorbs_stored → shard_registered → committed.
CREATE TABLE xet_files (
  file_id INTEGER NOT NULL REFERENCES files (id) ON DELETE CASCADE,
  sha256 TEXT NOT NULL,
  xet_hash TEXT,
  -- JSON [[xorb hash, first chunk, end chunk, unpacked bytes], …] in file order.
  terms TEXT,
  state TEXT NOT NULL CHECK (state IN ('chunked', 'xorbs_stored', 'shard_registered', 'committed')),
  -- JSON array of the xorbs this file version built, in build order: its shard lists them (the same
  -- shard after a crash, whatever the re-run finds in the chunk index).
  built_xorbs TEXT,
  bytes_sent INTEGER NOT NULL DEFAULT 0,
  bytes_deduped INTEGER NOT NULL DEFAULT 0,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (file_id, sha256)
) STRICT;

-- Per job Xet figures for status, metrics and the page, maintained incrementally.
CREATE TABLE xet_job_stats (
  job_id INTEGER PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
  -- Bytes of files whose shard was registered, and how many of them the CAS already had.
  bytes_chunked INTEGER NOT NULL DEFAULT 0,
  bytes_deduped INTEGER NOT NULL DEFAULT 0,
  -- Xorb and shard bodies sent (every POST answered 200 counts, a re-send counts again).
  bytes_sent INTEGER NOT NULL DEFAULT 0,
  xorbs_stored INTEGER NOT NULL DEFAULT 0,
  files INTEGER NOT NULL DEFAULT 0,
  -- Why the job (or some of its files) went through LFS instead, else null.
  note TEXT,
  updated_at INTEGER NOT NULL
) STRICT;

-- The commit that carries a Xet file version lands: its row becomes committed in the same transaction
-- (from any state: after a crash the Hub may already hold the shard, and the LFS batch says stored).
CREATE TRIGGER xet_files_committed AFTER UPDATE OF state ON files
WHEN NEW.state = 'committed' AND OLD.state <> 'committed'
BEGIN
  UPDATE xet_files SET state = 'committed', updated_at = NEW.updated_at
  WHERE file_id = NEW.id AND sha256 = NEW.sha256 AND state <> 'committed';
END;
