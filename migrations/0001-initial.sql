-- hubpush journal, schema 1. Forward-only: never edit a released migration, add a new file.
-- Conventions: snake_case plural tables, *_at = integer epoch milliseconds, JSON in TEXT columns,
-- nanosecond times and inodes as TEXT decimal strings (they exceed 2^53).

CREATE TABLE jobs (
  id INTEGER PRIMARY KEY,
  folder TEXT NOT NULL,
  endpoint TEXT NOT NULL,
  repo_type TEXT NOT NULL CHECK (repo_type IN ('model', 'dataset', 'space')),
  repo_id TEXT NOT NULL,
  revision TEXT NOT NULL,
  path_in_repo TEXT NOT NULL,
  options TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'active'
    CHECK (state IN ('active', 'paused', 'blocked', 'cancelled', 'done')),
  blocked_code TEXT,
  blocked_message TEXT,
  last_error_code TEXT,
  last_error_message TEXT,
  last_error_at INTEGER,
  commits_made INTEGER NOT NULL DEFAULT 0,
  bytes_hashed INTEGER NOT NULL DEFAULT 0,
  scan_generation INTEGER NOT NULL DEFAULT 0,
  last_scan_at INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  finished_at INTEGER,
  UNIQUE (folder, endpoint, repo_type, repo_id, revision, path_in_repo)
) STRICT;

CREATE TABLE commits (
  id INTEGER PRIMARY KEY,
  job_id INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  state TEXT NOT NULL CHECK (state IN ('sent', 'unknown', 'committed', 'failed', 'reconciled')),
  message TEXT NOT NULL,
  file_count INTEGER NOT NULL,
  commit_oid TEXT,
  error_code TEXT,
  error_message TEXT,
  created_at INTEGER NOT NULL,
  settled_at INTEGER
) STRICT;

CREATE INDEX commits_by_job_state ON commits (job_id, state);

CREATE TABLE files (
  id INTEGER PRIMARY KEY,
  job_id INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  path TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN (
    'scanned', 'hashed', 'planned', 'uploaded', 'committing',
    'committed', 'skipped', 'ignored', 'failed', 'vanished')),
  size INTEGER NOT NULL,
  mtime_ns TEXT NOT NULL,
  ctime_ns TEXT NOT NULL,
  inode TEXT NOT NULL,
  sha256 TEXT,
  sha1 TEXT,
  sample TEXT,
  upload_mode TEXT CHECK (upload_mode IN ('regular', 'lfs')),
  remote_oid TEXT,
  commit_id INTEGER REFERENCES commits (id) ON DELETE SET NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER,
  last_error_code TEXT,
  last_error_message TEXT,
  hash_count INTEGER NOT NULL DEFAULT 0,
  lease_owner TEXT,
  lease_until INTEGER,
  seen_generation INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (job_id, path)
) STRICT;

-- Claims walk a state in id order and filter on retry time, lease and mode without touching the
-- table rows (the trailing columns make the index covering for that filter).
CREATE INDEX files_claim ON files (job_id, state, id, next_attempt_at, lease_until, upload_mode);
-- oldestInState (commit flush timer) without scanning every file of the state.
CREATE INDEX files_by_state_age ON files (job_id, state, updated_at);
-- No index on seen_generation: every scan rewrites it on every row (see finishScan).
CREATE INDEX files_by_commit ON files (commit_id) WHERE commit_id IS NOT NULL;
-- Only leased rows: releasing one owner's leases stays cheap on a million-row table.
CREATE INDEX files_leased ON files (lease_owner) WHERE lease_owner IS NOT NULL;

-- One row per LFS multipart plan (the LFS batch answer), kept so a restart re-sends only the
-- missing parts while the URLs are valid.
CREATE TABLE lfs_uploads (
  file_id INTEGER PRIMARY KEY REFERENCES files (id) ON DELETE CASCADE,
  oid TEXT NOT NULL,
  size INTEGER NOT NULL,
  chunk_size INTEGER NOT NULL,
  completion_url TEXT NOT NULL,
  part_urls TEXT NOT NULL,
  expires_at INTEGER,
  verify_url TEXT,
  verify_header TEXT,
  created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE lfs_parts (
  file_id INTEGER NOT NULL REFERENCES lfs_uploads (file_id) ON DELETE CASCADE,
  part_number INTEGER NOT NULL CHECK (part_number >= 1),
  etag TEXT NOT NULL,
  PRIMARY KEY (file_id, part_number)
) STRICT, WITHOUT ROWID;

-- AUTOINCREMENT: ids are never reused, so a reader's "since" cursor stays valid after pruning.
CREATE TABLE events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  job_id INTEGER REFERENCES jobs (id) ON DELETE SET NULL,
  type TEXT NOT NULL,
  data TEXT NOT NULL
) STRICT;

-- Per job and file state: files, bytes, and files with a pending retry (next_attempt_at set).
-- Maintained only by the triggers below, so status reads ten rows instead of scanning files.
CREATE TABLE job_counts (
  job_id INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  state TEXT NOT NULL,
  files INTEGER NOT NULL DEFAULT 0,
  bytes INTEGER NOT NULL DEFAULT 0,
  waiting INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (job_id, state)
) STRICT, WITHOUT ROWID;

-- Every job gets one row per file state up front, so the file triggers only ever UPDATE.
CREATE TRIGGER jobs_counts_rows AFTER INSERT ON jobs
BEGIN
  INSERT INTO job_counts (job_id, state)
  VALUES (NEW.id, 'scanned'), (NEW.id, 'hashed'), (NEW.id, 'planned'), (NEW.id, 'uploaded'),
         (NEW.id, 'committing'), (NEW.id, 'committed'), (NEW.id, 'skipped'), (NEW.id, 'ignored'),
         (NEW.id, 'failed'), (NEW.id, 'vanished');
END;

CREATE TRIGGER files_counts_insert AFTER INSERT ON files
BEGIN
  UPDATE job_counts
     SET files = files + 1, bytes = bytes + NEW.size, waiting = waiting + (NEW.next_attempt_at IS NOT NULL)
   WHERE job_id = NEW.job_id AND state = NEW.state;
END;

CREATE TRIGGER files_counts_delete AFTER DELETE ON files
BEGIN
  UPDATE job_counts
     SET files = files - 1, bytes = bytes - OLD.size, waiting = waiting - (OLD.next_attempt_at IS NOT NULL)
   WHERE job_id = OLD.job_id AND state = OLD.state;
END;

CREATE TRIGGER files_counts_update AFTER UPDATE OF job_id, state, size, next_attempt_at ON files
WHEN OLD.job_id IS NOT NEW.job_id
  OR OLD.state IS NOT NEW.state
  OR OLD.size IS NOT NEW.size
  OR (OLD.next_attempt_at IS NULL) IS NOT (NEW.next_attempt_at IS NULL)
BEGIN
  UPDATE job_counts
     SET files = files - 1, bytes = bytes - OLD.size, waiting = waiting - (OLD.next_attempt_at IS NOT NULL)
   WHERE job_id = OLD.job_id AND state = OLD.state;
  UPDATE job_counts
     SET files = files + 1, bytes = bytes + NEW.size, waiting = waiting + (NEW.next_attempt_at IS NOT NULL)
   WHERE job_id = NEW.job_id AND state = NEW.state;
END;
