import { Worker } from "node:worker_threads";
import { HASH_WORKER_LIMITS } from "../../common/heap-limits.js";
import type { HashWorkerData } from "./hash-worker-messages.js";

const RUNNING_TS_SOURCES = import.meta.url.endsWith(".ts");
const WORKER_URL = new URL(RUNNING_TS_SOURCES ? "./hash-worker.ts" : "./hash-worker.js", import.meta.url);

/**
 * From dist/ the worker is plain .js. Run as .ts sources (tests, benches under tsx), Node 20 does
 * not apply the --import loader hooks inside worker threads, so the thread registers tsx itself
 * before importing the worker module (execArgv is emptied so a newer Node does not register twice).
 */
export function startWorker(workerData: HashWorkerData): Worker {
  const resourceLimits = { ...HASH_WORKER_LIMITS };
  if (!RUNNING_TS_SOURCES) return new Worker(WORKER_URL, { workerData, resourceLimits });
  const tsxApi = import.meta.resolve("tsx/esm/api");
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(WORKER_URL.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData, execArgv: [], resourceLimits });
}
