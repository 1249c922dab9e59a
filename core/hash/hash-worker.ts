/**
 * A hashing thread of HashPool: hashes the files of a batch one after the other with one reused
 * read buffer and answers the batch in one message (a message per file cost more than the hashing
 * of a small file). A cancel message aborts the file in progress between two reads, or skips a
 * file still waiting in the batch.
 */
import { parentPort, workerData } from "node:worker_threads";
import { type HashOutcome, hashFile } from "./hash-file.js";
import type {
  HashFileResult,
  HashWorkerData,
  HashWorkerFile,
  HashWorkerReply,
  HashWorkerRequest,
} from "./hash-worker-messages.js";
import { threadCpu } from "./thread-cpu.js";

const port = parentPort;
if (port === null) throw new Error("hash-worker.ts must run as a worker thread");

const { readBufferBytes } = workerData as HashWorkerData;
const buffer = new Uint8Array(readBufferBytes);
/** Ids of the batch in progress that were cancelled, and the controller of the file being read. */
const cancelled = new Set<number>();
let current: { id: number; controller: AbortController } | null = null;

port.on("message", (request: HashWorkerRequest) => {
  if (request.type === "cancel") {
    if (current?.id === request.id) current.controller.abort();
    else cancelled.add(request.id);
    return;
  }
  if (request.type === "cpu") {
    reply({ type: "cpu", cpu: threadCpu() });
    return;
  }
  void hashBatch(request.batch, request.files);
});

async function hashBatch(batch: number, files: readonly HashWorkerFile[]): Promise<void> {
  const results: HashFileResult[] = [];
  const transfer: ArrayBuffer[] = [];
  for (const file of files) {
    if (cancelled.delete(file.id)) {
      results.push({ id: file.id, aborted: true });
      continue;
    }
    const controller = new AbortController();
    current = { id: file.id, controller };
    const outcome = await hashOne(file, controller.signal);
    current = null;
    if (outcome === null) {
      results.push({ id: file.id, aborted: true });
      continue;
    }
    // Kept bytes move to the main thread without a copy (the buffer is the file's own).
    if (outcome.ok && outcome.content !== undefined) transfer.push(outcome.content.buffer as ArrayBuffer);
    results.push({ id: file.id, outcome });
  }
  cancelled.clear();
  port?.postMessage({ type: "done", batch, results } satisfies HashWorkerReply, transfer);
}

/** The file's outcome, or null when it was cancelled. */
async function hashOne(file: HashWorkerFile, signal: AbortSignal): Promise<HashOutcome | null> {
  try {
    return await hashFile(file.path, readBufferBytes, {
      buffer,
      signal,
      syncReads: true,
      keepMaxBytes: file.keepMaxBytes,
    });
  } catch (err) {
    if (signal.aborted) return null;
    // hashFile turns file errors into outcomes; anything else is a fault of this thread.
    const detail = err instanceof Error ? err.message : String(err);
    return {
      ok: false,
      code: "ERR_FILE_UNREADABLE",
      message: `hashing ${file.path} failed unexpectedly (${detail}); it will be tried again`,
      retryable: true,
    };
  }
}

function reply(message: HashWorkerReply): void {
  port?.postMessage(message);
}
