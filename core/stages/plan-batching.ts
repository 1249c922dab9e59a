/** A partial batch waits this long for more hashed files while hashing goes on. */
export const PARTIAL_BATCH_WAIT_MS = 250;
/** …but no longer than this after its oldest file was hashed. */
export const PARTIAL_BATCH_MAX_AGE_MS = 2_000;

export interface PlanBacklog {
  /** Files in hashed (waiting for preupload) and in scanned (still to hash). */
  readonly hashed: number;
  readonly scanned: number;
  /** A scan of the folder is running: more files may come. */
  readonly scanning: boolean;
  /** Paths per preupload call (tuning.preuploadBatch). */
  readonly batchSize: number;
  /** When the oldest hashed file got there; asked only when the answer depends on it (a MIN query). */
  readonly oldestHashedAt: () => number | null;
  readonly now: number;
}

/**
 * Full batches save API calls (the Hub allows about 1,000 per 5 minutes): a partial batch is sent
 * only when nothing more is coming from hashing soon, or when its oldest file has waited 2 s.
 */
export function planBatchDue(backlog: PlanBacklog): boolean {
  if (backlog.hashed >= backlog.batchSize) return true;
  if (backlog.scanned === 0 && !backlog.scanning) return true;
  const oldest = backlog.oldestHashedAt();
  return oldest !== null && backlog.now - oldest >= PARTIAL_BATCH_MAX_AGE_MS;
}
