import type { Worker } from "node:worker_threads";
import { HASH_WORKER_LIMITS } from "../../common/heap-limits.js";
import { startModuleWorker } from "../start-module-worker.js";
import type { HashWorkerData } from "./hash-worker-messages.js";

/** A hashing thread (hash-worker.ts), with the bounded heap of HASH_WORKER_LIMITS. */
export function startWorker(workerData: HashWorkerData): Worker {
  return startModuleWorker(import.meta.url, "hash-worker", workerData, HASH_WORKER_LIMITS);
}
