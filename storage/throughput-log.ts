// The throughput part of the Journal contract, in a file of its own so journal.ts imports no store.

/** One point of a job's throughput chart (docs/ui.md). */
export interface ThroughputSample {
  readonly jobId: number;
  /** Epoch ms. */
  readonly at: number;
  readonly uploadBytesPerSec: number;
  readonly hashBytesPerSec: number;
}

/** The throughput part of the journal (Journal.throughput). */
export interface ThroughputLog {
  recordThroughput(samples: readonly ThroughputSample[]): void;
  readThroughput(jobId: number, sinceMs: number, limit?: number): ThroughputSample[];
  /** Deletes samples older than `beforeMs`; returns how many. */
  pruneThroughput(beforeMs: number): number;
}
