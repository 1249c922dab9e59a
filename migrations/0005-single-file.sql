-- hubpush journal: one-file jobs (issue 13 §1). `folder` then names the regular file itself and
-- `path_in_repo` is the file's full path in the repo. The identity stays (folder, endpoint,
-- repo_type, repo_id, revision, path_in_repo): a file's path never equals its parent folder's, so a
-- one-file job cannot collide with a job of the folder that holds it. Existing jobs are folders.
ALTER TABLE jobs ADD COLUMN kind TEXT NOT NULL DEFAULT 'folder' CHECK (kind IN ('folder', 'file'));
