/**
 * How long each kind of Hub call may wait for the answer's headers once the request is sent. One
 * 60 s limit for every call aborted multipart completions that the Hub (S3 assembling the parts)
 * took longer to answer, then retried them and re-read the whole file each time (issue 12 §6).
 * The limits follow what the Hub may take server-side; docs/operations.md lists them.
 */
export interface CallTimeouts {
  /** whoami, repo info, create branch: light reads and writes. */
  readonly quickMs: number;
  /** Repo creation (it also writes the initial commit). */
  readonly createRepoMs: number;
  /** Preupload (≤ 100 paths), LFS batch (≤ 100 objects) and paths-info (≤ 1000 paths). */
  readonly batchMs: number;
  /** Multipart completion: the storage assembles every part of a file up to 50 GB. */
  readonly completionMs: number;
  /** LFS verify after an upload. */
  readonly verifyMs: number;
  /** A commit of up to thousands of operations. */
  readonly commitMs: number;
  /** The answer to a PUT of a part or a whole file, once its last byte is sent. */
  readonly uploadMs: number;
}

export const DEFAULT_CALL_TIMEOUTS: CallTimeouts = Object.freeze({
  quickMs: 60_000,
  createRepoMs: 120_000,
  batchMs: 180_000,
  completionMs: 15 * 60_000,
  verifyMs: 5 * 60_000,
  commitMs: 10 * 60_000,
  uploadMs: 5 * 60_000,
});
