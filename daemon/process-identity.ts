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

/** Whether a process with this pid exists (EPERM: it exists but belongs to another user). */
export function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
