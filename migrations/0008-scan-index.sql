-- hubpush journal: a covering index for the scan's compare (issue 16 item 2). A restart looks up
-- every path it walks and compares its stat; through the (job_id, path) unique index that read the
-- whole table row (about 1 KB with hashes and sample, three rows a page), so a restart over 100,000
-- committed files read the whole files table. This index holds just what the compare needs (the row
-- id comes with it). No state column: state changes on every stage transition, stats do not, so the
-- index costs nothing on the hot path; the scan asks for states only of the rare rows that need one.
CREATE INDEX files_scan ON files (job_id, path, size, mtime_ns, ctime_ns, inode);
