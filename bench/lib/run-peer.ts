import { fileURLToPath } from "node:url";
import { TOKEN } from "./emulator-process.js";
import { runNodeProcess } from "./run-process.js";

const CHILD = fileURLToPath(new URL("./peer-child.ts", import.meta.url));

export interface PeerRun {
  /** createRepo + listing + every uploadFiles call, timed inside the peer's process. */
  readonly seconds: number;
  /** The peer process from spawn to exit (adds Node and module start-up). */
  readonly processSeconds: number;
  readonly files: number;
  readonly commits: number;
  readonly peakRssMb: number;
  /** User + system CPU seconds of the peer's process (run-process.ts). */
  readonly cpuSeconds: number;
}

/** Runs the official client against `url` in a child process (see peer-child.ts). */
export async function runPeer(url: string, repo: string, folder: string, maxFiles: number): Promise<PeerRun> {
  const run = await runNodeProcess({
    args: [
      "--no-warnings",
      "--import",
      "tsx",
      CHILD,
      "--url",
      url,
      "--repo",
      repo,
      "--folder",
      folder,
      "--token",
      TOKEN,
      "--max-files",
      String(maxFiles),
    ],
    env: process.env,
  });
  const line = run.stdout.trim().split("\n").at(-1) ?? "";
  if (run.code !== 0 || !line.startsWith("{")) {
    throw new Error(`the peer failed (exit ${run.code ?? run.signal}):\n${run.stderr.slice(-3000)}`);
  }
  const out = JSON.parse(line) as { seconds: number; files: number; commits: number };
  return { ...out, processSeconds: run.seconds, peakRssMb: run.peakRssMb, cpuSeconds: run.cpuSeconds };
}
