/**
 * A hashing thread of HashPool: hashes one file at a time with one reused read buffer and answers
 * each request with its outcome. A cancel message aborts the file in progress between two reads.
 */
import { parentPort, workerData } from "node:worker_threads";
import { hashFile } from "./hash-file.js";
import type { HashWorkerData, HashWorkerReply, HashWorkerRequest } from "./hash-worker-messages.js";

const port = parentPort;
if (port === null) throw new Error("hash-worker.ts must run as a worker thread");

const { readBufferBytes } = workerData as HashWorkerData;
const buffer = new Uint8Array(readBufferBytes);
let current: { id: number; controller: AbortController } | null = null;

port.on("message", (request: HashWorkerRequest) => {
  if (request.type === "cancel") {
    if (current?.id === request.id) current.controller.abort();
    return;
  }
  const controller = new AbortController();
  current = { id: request.id, controller };
  hashFile(request.path, readBufferBytes, { buffer, signal: controller.signal, syncReads: true }).then(
    (outcome) => reply({ type: "done", id: request.id, outcome }),
    (err: unknown) => {
      if (controller.signal.aborted) {
        reply({ type: "aborted", id: request.id });
        return;
      }
      // hashFile turns file errors into outcomes; anything else is a fault of this thread.
      const detail = err instanceof Error ? err.message : String(err);
      reply({
        type: "done",
        id: request.id,
        outcome: {
          ok: false,
          code: "ERR_FILE_UNREADABLE",
          message: `hashing ${request.path} failed unexpectedly (${detail}); it will be tried again`,
          retryable: true,
        },
      });
    },
  );
});

function reply(message: HashWorkerReply): void {
  current = null;
  port?.postMessage(message);
}
