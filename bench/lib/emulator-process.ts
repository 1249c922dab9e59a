import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";

export const TOKEN = "hf_bench_write";
/** The emulator's write token for user `bench`: repos are bench/<name>. */
const TOKEN_SPEC = `${TOKEN}:write:bench`;

export interface EmulatorProcess {
  readonly url: string;
  readonly pid: number;
  readonly accessLog: string;
  /** SIGTERM, then SIGKILL after 10 s; resolves once the process is gone. */
  close(): Promise<void>;
}

export interface EmulatorProcessOptions {
  /** The built CLI: `hubpush emulator` runs the same emulator the tests use. */
  readonly cli: string;
  readonly dataDir: string;
  /** One JSON line per request (route, status, oid, part number, fault). */
  readonly accessLog: string;
  readonly faults?: string;
  readonly seed?: number;
  /** `--link` SPEC: WAN-like shaping (docs/emulator.md "Link shaping"). */
  readonly link?: string;
  /** When set, the emulator runs under --cpu-prof and writes its profile there on close. */
  readonly cpuProfDir?: string;
}

/**
 * Starts `hubpush emulator` in a process of its own, as a Hub is beside a real client: the two
 * contenders then get the same treatment (neither shares an event loop with the server).
 */
export async function startEmulatorProcess(options: EmulatorProcessOptions): Promise<EmulatorProcess> {
  const prof = options.cpuProfDir === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${options.cpuProfDir}`];
  const args = [
    ...prof,
    options.cli,
    "emulator",
    "--port",
    "0",
    "--data-dir",
    options.dataDir,
    "--token",
    TOKEN_SPEC,
    "--access-log",
    options.accessLog,
  ];
  if (options.faults !== undefined) args.push("--faults", options.faults);
  if (options.seed !== undefined) args.push("--seed", String(options.seed));
  if (options.link !== undefined) args.push("--link", options.link);
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = once(child, "exit");
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const first = await Promise.race([lines.next(), exited.then(() => null)]);
  if (first === null || first.done === true || child.pid === undefined) {
    throw new Error(`the emulator did not start:\n${stderr}`);
  }
  const url = String(first.value).trim();
  const pid = child.pid;
  return {
    url,
    pid,
    accessLog: options.accessLog,
    close: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
