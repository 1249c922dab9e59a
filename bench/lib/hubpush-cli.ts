import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { JobStatusJson } from "../../daemon/job-status-json.js";
import { TOKEN } from "./emulator-process.js";
import { type ProcessRun, runNodeProcess, type SampleVerdict } from "./run-process.js";

export interface HubpushUploadOptions {
  readonly cli: string;
  /** HUBPUSH_HOME: journal, lock and logs of this run (reuse it to resume). */
  readonly home: string;
  readonly folder: string;
  readonly repo: string;
  readonly endpoint: string;
  /** When set, the process runs under --cpu-prof and writes its profiles there. */
  readonly cpuProfDir?: string;
  /** `--transfer auto|xet|lfs` (docs/xet.md); omitted: the CLI's default. */
  readonly transfer?: "auto" | "xet" | "lfs";
  /** HUBPUSH_TUNING for this run (JSON engine knobs); default none, whatever the caller's shell has. */
  readonly tuning?: string;
  readonly onSample?: (pid: number, elapsedMs: number) => SampleVerdict;
  readonly sampleMs?: number;
}

export interface HubpushRun extends ProcessRun {
  /** The final JobStatusJson printed by --json (null when the process was killed). */
  readonly status: JobStatusJson | null;
}

/**
 * The Node flags the `hubpush` bin runs with: those of its `#!/usr/bin/env -S node …` line (the
 * heap bounds, common/heap-limits.ts). The bench starts `node <cli>` itself, so it adds them as the
 * bin would; a build without them (an older one given as --baseline-cli) runs without.
 */
export function binNodeFlags(cli: string): string[] {
  const first = readFileSync(cli, "utf8").split("\n", 1)[0] ?? "";
  const m = first.match(/^#!\/usr\/bin\/env -S node\s+(.*)$/);
  return m?.[1] === undefined ? [] : m[1].trim().split(/\s+/);
}

/** `hubpush upload <folder> --json` with the built CLI, in a clean environment of its own. */
export async function runHubpushUpload(options: HubpushUploadOptions): Promise<HubpushRun> {
  mkdirSync(options.home, { recursive: true });
  const tokenFile = path.join(path.dirname(options.home), "token");
  writeFileSync(tokenFile, TOKEN);
  const env: NodeJS.ProcessEnv = { ...process.env, HUBPUSH_HOME: options.home, NO_COLOR: "1" };
  // Nothing from the caller's shell may change what is measured.
  for (const name of ["HF_TOKEN", "HF_ENDPOINT", "HF_HOME", "HUBPUSH_TUNING"]) delete env[name];
  if (options.tuning !== undefined) env.HUBPUSH_TUNING = options.tuning;
  const prof = options.cpuProfDir === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${options.cpuProfDir}`];
  const run = await runNodeProcess({
    args: [
      ...binNodeFlags(options.cli),
      ...prof,
      options.cli,
      "upload",
      options.folder,
      "--repo",
      options.repo,
      "--endpoint",
      options.endpoint,
      "--token-file",
      tokenFile,
      "--json",
      ...(options.transfer === undefined ? [] : ["--transfer", options.transfer]),
    ],
    env,
    onSample: options.onSample,
    sampleMs: options.sampleMs,
  });
  const start = run.stdout.indexOf("{");
  let status: JobStatusJson | null = null;
  if (start >= 0) {
    try {
      status = JSON.parse(run.stdout.slice(start)) as JobStatusJson;
    } catch {
      status = null;
    }
  }
  return { ...run, status };
}

/** Throws, with the end of the output, unless the run committed every one of `files` files. */
export function assertCompleted(run: HubpushRun, files: number, what: string): JobStatusJson {
  const s = run.status;
  const done = s === null ? 0 : s.files.committed.files + s.files.skipped.files;
  if (run.code !== 0 || s === null || done !== files || s.files.failed.files > 0) {
    throw new Error(
      `${what}: hubpush upload did not complete (exit ${run.code ?? run.signal}, ${done}/${files} files done):\n` +
        `${run.stdout.slice(-1500)}\n${run.stderr.slice(-1500)}`,
    );
  }
  return s;
}
