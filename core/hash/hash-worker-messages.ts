/** The messages between HashPool and its worker threads (structured-clone friendly). */
import type { HashOutcome } from "./hash-file.js";

export interface HashWorkerData {
  readonly readBufferBytes: number;
}

export type HashWorkerRequest =
  | { readonly type: "hash"; readonly id: number; readonly path: string }
  | { readonly type: "cancel"; readonly id: number };

export type HashWorkerReply =
  | { readonly type: "done"; readonly id: number; readonly outcome: HashOutcome }
  | { readonly type: "aborted"; readonly id: number };
