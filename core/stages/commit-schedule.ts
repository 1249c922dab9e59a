/** Default minutes between scheduled commits of a watch job (`--every`). */
export const DEFAULT_EVERY_MINUTES = 5;

export interface Backlog {
  /** Files ready to commit plus queued remote deletions. */
  readonly ready: number;
  /** Files still in scanned, hashed or planned. */
  readonly upstream: number;
  /** How long the oldest ready file has waited, ms. */
  readonly waitedMs: number;
}

/** Everything commitDue looks at, as plain values (the committer reads them from the journal). */
export interface CommitDueInput {
  readonly backlog: Backlog;
  /** The adaptive batch size now (batch-sizer.ts). */
  readonly batchTarget: number;
  /** A scan of the folder is running: more files may come. */
  readonly scanning: boolean;
  readonly watch: boolean;
  /** One-shot jobs: a partial batch goes once its oldest file waited this long. */
  readonly flushIntervalMs: number;
  /** Watch jobs: the least time between two commits (`--every`). */
  readonly everyMs: number;
  /** When the job's newest batch was sent (journal.commits.lastSentAt); read for watch jobs only. */
  readonly lastSentAt: number | null;
  readonly now: number;
}

/**
 * Whether a batch is due. A one-shot job commits a full batch at once, else when its oldest ready
 * file has waited `flushIntervalMs` or nothing is left upstream. A watch job commits a full batch
 * at once, else at most every `--every` minutes (from its last commit, as the journal records it,
 * so a restart does not reset the schedule), once the pipeline is drained or a file waited that long.
 */
export function commitDue(input: CommitDueInput): boolean {
  const { ready, upstream, waitedMs } = input.backlog;
  if (ready === 0) return false;
  if (ready >= input.batchTarget) return true;
  const drained = upstream === 0 && !input.scanning;
  if (!input.watch) return waitedMs >= input.flushIntervalMs || drained;
  if (input.lastSentAt !== null && input.now - input.lastSentAt < input.everyMs) return false;
  return drained || waitedMs >= input.everyMs;
}

/** When the next scheduled commit of a watch job may go, or null for a one-shot job or before its first commit. */
export function nextScheduledCommitAt(
  watch: boolean,
  everyMs: number,
  lastSentAt: number | null,
): number | null {
  if (!watch || lastSentAt === null) return null;
  return lastSentAt + everyMs;
}

/** The `--every` interval of a job, ms. */
export function everyMsOf(options: { readonly everyMinutes?: number | null | undefined }): number {
  return (options.everyMinutes ?? DEFAULT_EVERY_MINUTES) * 60_000;
}
