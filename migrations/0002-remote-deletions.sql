-- hubpush journal, schema 2: deletions to mirror on the Hub (watch jobs with --delete).
-- A row is queued when a complete scan no longer sees a file of a --delete job; it rides the next
-- commit as a deletedFile operation (state committing, commit_id set) and is `deleted` once that
-- commit is known to have landed. Seeing the file again removes a row that is not in flight.

CREATE TABLE remote_deletions (
  id INTEGER PRIMARY KEY,
  job_id INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  -- The file's path relative to the folder (as files.path); the repo path adds --path-in-repo.
  path TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'committing', 'deleted')),
  commit_id INTEGER REFERENCES commits (id) ON DELETE SET NULL,
  created_at INTEGER NOT NULL,
  settled_at INTEGER,
  UNIQUE (job_id, path)
) STRICT;

CREATE INDEX remote_deletions_by_state ON remote_deletions (job_id, state, id);
CREATE INDEX remote_deletions_by_commit ON remote_deletions (commit_id);
