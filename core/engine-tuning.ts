/** Knobs of the engine's pacing and batching. Defaults fit the public Hub; tests shorten the waits. */
export interface EngineTuning {
  /** Commit a batch once its oldest ready file has waited this long (default 60 s). */
  readonly flushIntervalMs: number;
  /** Commit sizes the adaptive batcher moves between (default 20…1000). */
  readonly commitSizes: readonly number[];
  /** Index into commitSizes to start at (default 6 → 250 files). */
  readonly initialCommitSizeIndex: number;
  /** A full commit faster than this grows the next batch; slower shrinks it (default 40 s). */
  readonly slowCommitMs: number;
  /** Inline (regular) bytes per commit (default 64 MiB). */
  readonly maxInlineBytesPerCommit: number;
  /** Backoff of transient errors: base and cap (defaults 1 s, 5 min), full jitter. */
  readonly backoffBaseMs: number;
  readonly backoffCapMs: number;
  /** How long a claimed file stays leased (default 30 min); leases are dropped at start-up anyway. */
  readonly leaseMs: number;
  /** Longest an idle stage loop sleeps before looking at the journal again (default 1 s). */
  readonly idlePollMs: number;
  /** Hub API budget: calls per window (default 1000 per 300 s, as the Hub's fixed window). */
  readonly apiCallsPerWindow: number;
  readonly apiWindowSeconds: number;
  /** Commit budget per repo: burst and hourly rate (defaults 100 / 100 per hour). */
  readonly commitBurst: number;
  readonly commitsPerHour: number;
  /** Files above this are refused before upload: the Hub states 50 GB, decimal (50 × 10⁹ bytes, not 50 GiB). */
  readonly maxFileBytes: number;
  /**
   * Most multipart parts of one file sent at once (default 4), when upload streams are free (fewer
   * files than streams in flight). Each streams from disk at its own offset through a 1 MiB
   * buffer (core/lfs/upload-multipart.ts). A crash re-sends at most this many parts of a file.
   */
  readonly partsInFlight: number;
  /** Bytes of part buffers UploadStreams.takeBuffer may hand out (default 48 MiB; LFS parts no longer use them). */
  readonly partBufferBytes: number;
  /**
   * Most upload connections sending at once (default 16). The count starts at the uploadWorkers
   * setting and grows one at a time while the upload rate rises with it (core/pacing/adaptive-streams.ts).
   */
  readonly maxUploadStreams: number;
  /** Length of the window the upload rate is measured over to adapt the count (default 2 s). */
  readonly streamWindowMs: number;
  /** Paths per preupload call and objects per LFS batch call (default 100 each). */
  readonly preuploadBatch: number;
  readonly lfsBatch: number;
  /** Scanned files written to the journal per transaction (default 1000). */
  readonly scanBatch: number;
  /** Plan (preupload) loops run per job in parallel (default 2). */
  readonly planLoops: number;
  /** Upload batch loops per job in parallel (default 2). */
  readonly uploadLoops: number;
  /** Watch mode: a file modified less than this long ago is still being written and waits (default 10 s). */
  readonly watchStableMs: number;
  /** Watch mode: full rescans run this often, jittered ±10 %, because watchers miss events (default 1 h). */
  readonly watchRescanMs: number;
  /** Watch mode: a burst of watcher events is answered by one rescan once quiet this long (default 1 s). */
  readonly watchDebounceMs: number;
  /** Xet: largest upload shard body; bigger ones are split (default 64 MiB, the CAS limit, §5.8). */
  readonly xetShardBytes: number;
  /** Xet: a xorb's serialized cap (default 64 MiB, §4.6; built in 2 MiB segments spooled to disk). */
  readonly xetXorbBytes: number;
  /**
   * 1: every LFS byte is hashed again while it is sent and checked against the journaled sha256
   * (a second sha256 pass, ~0.5 s of CPU per GiB). 0 (default): a stat guard (inode, size, mtime,
   * ctime of the open descriptor, before and after each part is read) stands in for it, and only
   * files changed just before their job began are re-hashed (core/lfs/send-guard.ts).
   */
  readonly rehashOnSend: number;
}

export const DEFAULT_TUNING: EngineTuning = Object.freeze({
  flushIntervalMs: 60_000,
  commitSizes: Object.freeze([20, 50, 75, 100, 125, 200, 250, 400, 600, 1000]),
  initialCommitSizeIndex: 6,
  slowCommitMs: 40_000,
  maxInlineBytesPerCommit: 64 * 1024 * 1024,
  backoffBaseMs: 1_000,
  backoffCapMs: 300_000,
  leaseMs: 30 * 60_000,
  idlePollMs: 1_000,
  apiCallsPerWindow: 1000,
  apiWindowSeconds: 300,
  commitBurst: 100,
  commitsPerHour: 100,
  maxFileBytes: 50 * 10 ** 9,
  partsInFlight: 4,
  partBufferBytes: 48 * 1024 * 1024,
  maxUploadStreams: 16,
  streamWindowMs: 2_000,
  preuploadBatch: 100,
  lfsBatch: 100,
  scanBatch: 1000,
  planLoops: 2,
  uploadLoops: 2,
  watchStableMs: 10_000,
  watchRescanMs: 60 * 60_000,
  watchDebounceMs: 1_000,
  xetShardBytes: 64 * 1024 * 1024,
  xetXorbBytes: 64 * 1024 * 1024,
  rehashOnSend: 0,
});
