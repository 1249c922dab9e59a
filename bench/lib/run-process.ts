import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";

export interface ProcessRun {
  /** Wall time from spawn to exit. */
  readonly seconds: number;
  /** Highest VmHWM seen in /proc/<pid>/status (MB = 2^20 bytes): the process's own peak RSS. */
  readonly peakRssMb: number;
  /**
   * User + system CPU seconds of the process, all its threads, from /proc/<pid>/stat at the last
   * sample before it exited (so up to one sample period, 100 ms by default, short).
   */
  readonly cpuSeconds: number;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** What the sampler may tell the runner to do with the process after looking at it. */
export type SampleVerdict = "SIGKILL" | "SIGINT" | undefined;

export interface RunProcessOptions {
  /** The program to run (default: this Node binary). */
  readonly command?: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  /** Called at every sample (default every 100 ms) with the child's pid; may ask to signal it. */
  readonly onSample?: (pid: number, elapsedMs: number) => SampleVerdict;
  readonly sampleMs?: number;
  /** Called once right after the process started. */
  readonly onStart?: (pid: number) => void;
}

/** Peak RSS in kB so far (VmHWM), or 0 when the process is gone. */
export function readVmHwmKb(pid: number): number {
  try {
    return Number(readFileSync(`/proc/${pid}/status`, "utf8").match(/VmHWM:\s+(\d+)/)?.[1] ?? 0);
  } catch {
    return 0; // exited between two samples
  }
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** utime + stime of the whole process in seconds, or null once it is gone. */
export function readCpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces) start at state: utime is the 12th.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/**
 * Runs `node <args>` (or `command <args>`) as a process of its own (so its peak RSS is its own), samples VmHWM, and lets
 * the caller SIGKILL or interrupt it when a condition is met (W3 kills at 50 %, W5 stops early).
 */
export function runNodeProcess(options: RunProcessOptions): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(options.command ?? process.execPath, [...options.args], {
      env: options.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const pid = child.pid;
    if (pid === undefined) {
      reject(new Error(`cannot start ${options.command ?? "node"} ${options.args.join(" ")}`));
      return;
    }
    options.onStart?.(pid);
    let stdout = "";
    let stderr = "";
    let peakKb = 0;
    let cpuSeconds = 0;
    let signalled = false;
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const sample = setInterval(() => {
      peakKb = Math.max(peakKb, readVmHwmKb(pid));
      cpuSeconds = readCpuSeconds(pid) ?? cpuSeconds;
      if (signalled || options.onSample === undefined) return;
      const verdict = options.onSample(pid, Number(process.hrtime.bigint() - started) / 1e6);
      if (verdict !== undefined) {
        signalled = true;
        child.kill(verdict);
      }
    }, options.sampleMs ?? 100);
    child.on("error", (err) => {
      clearInterval(sample);
      reject(err);
    });
    child.on("close", (code, signal) => {
      clearInterval(sample);
      resolve({
        seconds: Number(process.hrtime.bigint() - started) / 1e9,
        peakRssMb: peakKb / 1024,
        cpuSeconds,
        code,
        signal,
        stdout,
        stderr,
      });
    });
  });
}
