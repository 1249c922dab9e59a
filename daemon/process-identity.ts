import { readFileSync } from "node:fs";

/**
 * A string that tells one process apart from a later process that reuses its pid: the boot id and
 * the process start time (clock ticks since boot, field 22 of /proc/<pid>/stat). null where /proc
 * is not available (then only the pid is compared).
 */
export function processIdentity(pid: number): string | null {
  try {
    const bootId = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may contain spaces and parentheses: count fields after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const startTime = rest[19];
    if (bootId === "" || startTime === undefined) return null;
    return `${bootId}/${startTime}`;
  } catch {
    return null;
  }
}

/**
 * The state letter of /proc/<pid>/stat (field 3: R, S, D, Z, X…), or null where /proc does not
 * tell (no /proc, or the process is gone).
 */
export function processState(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0] ?? null;
  } catch {
    return null;
  }
}

/**
 * Whether a process with this pid is alive (EPERM: it exists but belongs to another user). A
 * zombie (state Z, or X while it is being reaped) is dead: killed with SIGKILL, a daemon stays a
 * zombie until its parent reaps it, which in containers and minimal inits can take seconds or
 * forever, and `kill(pid, 0)` still succeeds on it (issue 12 §9).
 */
export function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  const state = processState(pid);
  return state !== "Z" && state !== "X";
}
