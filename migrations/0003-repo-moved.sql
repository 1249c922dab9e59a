-- hubpush journal, schema 3: a repo the Hub said was renamed or moved (issue 12 §5).
-- repo_id stays the job's identity (the same command finds the same job); moved_repo_id is the
-- name the Hub redirected to, used for every later call and shown in status. NULL: never moved.
ALTER TABLE jobs ADD COLUMN moved_repo_id TEXT;
