/**
 * SQL fragments shared by the statements that move files between states, so that every path back
 * to `scanned` clears exactly the same things.
 */
export const FILE_SQL = {
  /** Every state change drops the lease: a stale holder's later result then matches no row. */
  clearLease: "lease_owner = NULL, lease_until = NULL",
  /**
   * Back to scanned: everything derived from the content (hashes, plan, remote oid, commit) and the
   * retry bookkeeping are cleared. hash_count is kept: it counts hash results over the file's life.
   * Binds @now. The caller deletes the file's LFS plan in the same transaction.
   */
  resetToScanned:
    "state = 'scanned', sha256 = NULL, sha1 = NULL, sample = NULL, upload_mode = NULL, remote_oid = NULL, " +
    "commit_id = NULL, attempts = 0, next_attempt_at = NULL, last_error_code = NULL, last_error_message = NULL, " +
    "lease_owner = NULL, lease_until = NULL, updated_at = @now",
  /** States in which a stage still works on the file and no commit is in flight. */
  workableStates: "('scanned', 'hashed', 'planned', 'uploaded')",
} as const;
