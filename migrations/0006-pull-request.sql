-- hubpush journal: --create-pr and --delete GLOB (issue 13 items 3 and 4).
-- pull_request: the number N of the pull request the job opened (its commits go to refs/pr/N);
--   NULL until the Hub answered the first create_pr commit (or reconciliation found that PR).
-- pull_request_floor: the highest discussion number the Hub listed just before the job sent a
--   create_pr commit; a lost answer is reconciled by looking only at PRs numbered above it.
-- deletions_listed_at: --delete GLOB jobs: when the remote tree listing was matched and its
--   deletions queued in remote_deletions (never listed again: they ride the job's first commit).
ALTER TABLE jobs ADD COLUMN pull_request INTEGER;
ALTER TABLE jobs ADD COLUMN pull_request_floor INTEGER;
ALTER TABLE jobs ADD COLUMN deletions_listed_at INTEGER;
