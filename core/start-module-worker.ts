import { Worker } from "node:worker_threads";

/**
 * Starts the worker module `name` (without extension) that sits beside `callerUrl` (the caller's
 * import.meta.url). From dist/ the worker is plain .js. Run as .ts sources (tests, benches under
 * tsx), Node 20 does not apply the --import loader hooks inside worker threads, so the thread
 * registers tsx itself before importing the worker module (execArgv is emptied so a newer Node does
 * not register twice).
 */
export function startModuleWorker(
  callerUrl: string,
  name: string,
  workerData: unknown,
  resourceLimits: { maxOldGenerationSizeMb: number; maxYoungGenerationSizeMb: number },
): Worker {
  const ts = callerUrl.endsWith(".ts");
  const url = new URL(`./${name}${ts ? ".ts" : ".js"}`, callerUrl);
  const limits = { ...resourceLimits };
  if (!ts) return new Worker(url, { workerData, resourceLimits: limits });
  const tsxApi = import.meta.resolve("tsx/esm/api");
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData, execArgv: [], resourceLimits: limits });
}
