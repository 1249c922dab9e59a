import { readFileSync } from "node:fs";
import type { ThreadCpu } from "./hash-worker-messages.js";

/**
 * The calling thread's CPU time and run-queue wait (Linux schedstat, nanoseconds), or null where
 * /proc has no such file. process.cpuUsage() counts the whole process, not one thread.
 */
export function threadCpu(): ThreadCpu | null {
  try {
    const [run, wait] = readFileSync("/proc/thread-self/schedstat", "utf8").trim().split(/\s+/);
    const runNs = Number(run);
    const waitNs = Number(wait);
    return Number.isFinite(runNs) && Number.isFinite(waitNs) ? { runNs, waitNs } : null;
  } catch {
    return null;
  }
}
