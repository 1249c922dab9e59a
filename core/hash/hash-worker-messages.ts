/** The messages between HashPool and its worker threads (structured-clone friendly). */
import type { HashOutcome } from "./hash-file.js";

export interface HashWorkerData {
  readonly readBufferBytes: number;
}

/** One file of a batch: `keepMaxBytes` > 0 asks for its bytes back when it is that small. */
export interface HashWorkerFile {
  readonly id: number;
  readonly path: string;
  readonly keepMaxBytes: number;
}

export type HashWorkerRequest =
  /** A batch of files, hashed one after the other and answered in one "done" message. */
  | { readonly type: "hash"; readonly batch: number; readonly files: readonly HashWorkerFile[] }
  /** Stops the file with this id if it is being read, or skips it if it is still waiting in its batch. */
  | { readonly type: "cancel"; readonly id: number }
  /** Asks for the thread's own CPU time (for the bench: what the pool really got on a busy machine). */
  | { readonly type: "cpu" };

export type HashFileResult =
  | { readonly id: number; readonly outcome: HashOutcome }
  | { readonly id: number; readonly aborted: true };

export type HashWorkerReply =
  | { readonly type: "done"; readonly batch: number; readonly results: readonly HashFileResult[] }
  | { readonly type: "cpu"; readonly cpu: ThreadCpu | null };

/** From /proc/thread-self/schedstat: nanoseconds on a CPU, and runnable but waiting for one. */
export interface ThreadCpu {
  readonly runNs: number;
  readonly waitNs: number;
}
