/** A partial batch waits this long for more hashed files while hashing goes on. */
export const PARTIAL_BATCH_WAIT_MS = 250;
/** …but no longer than this after its oldest file was hashed. */
export const PARTIAL_BATCH_MAX_AGE_MS = 2_000;
/** …and not at all once it holds this many bytes while nothing is being uploaded. */
export const PARTIAL_BATCH_BYTES = 64 * 1024 * 1024;

export interface PlanBacklog {
  /** Files in hashed (waiting for preupload) and in scanned (still to hash). */
  readonly hashed: number;
  readonly scanned: number;
  /** A scan of the folder is running: more files may come. */
  readonly scanning: boolean;
  /** Paths per preupload call (tuning.preuploadBatch). */
  readonly batchSize: number;
  /** Bytes of the files in hashed (0 when unknown). */
  readonly hashedBytes?: number;
  /** Nothing is being uploaded now: bytes waiting for a preupload are link time lost. */
  readonly uploadIdle?: boolean;
  /** When the oldest hashed file got there; asked only when the answer depends on it (a MIN query). */
  readonly oldestHashedAt: () => number | null;
  readonly now: number;
}

/**
 * Full batches save API calls (the Hub allows about 1,000 per 5 minutes): a partial batch is sent
 * only when nothing more is coming from hashing soon, when its oldest file has waited 2 s, or when
 * it holds ≥ 64 MiB while nothing is being uploaded. Big files hash one by one for seconds: the
 * first of W8's 4 × 80 MiB waited 2 s for company while the link carried nothing. Only when the
 * link is idle: with a connection merely free, W8's mix (files of 1–50 MiB hashed in a second) went
 * out in five small batches instead of one sorted largest first, and its biggest file came last.
 */
export function planBatchDue(backlog: PlanBacklog): boolean {
  if (backlog.hashed >= backlog.batchSize) return true;
  if (backlog.uploadIdle === true && (backlog.hashedBytes ?? 0) >= PARTIAL_BATCH_BYTES) return true;
  if (backlog.scanned === 0 && !backlog.scanning) return true;
  const oldest = backlog.oldestHashedAt();
  return oldest !== null && backlog.now - oldest >= PARTIAL_BATCH_MAX_AGE_MS;
}
