import { Command } from "commander";
import type { ControlClient } from "../../daemon/control-client.js";
import type { JobStatusJson } from "../../daemon/job-status-json.js";
import { type CliConfig, resolveCliConfig } from "../cli-config.js";
import type { CliIo } from "../cli-io.js";
import { progressIntervalOption } from "../job-flags.js";
import { onInterrupt } from "../on-interrupt.js";
import { optionParsers } from "../option-parsers.js";
import { renderProgress } from "../render/render-progress.js";
import { runProgressLoop } from "../render/run-progress-loop.js";
import { withControlClient } from "../with-control-client.js";

interface StatusFlags {
  readonly watch?: boolean;
  readonly json?: boolean;
  readonly progressInterval?: number;
}

const SETTLED = new Set(["done", "blocked", "cancelled"]);

async function fetchJobs(client: ControlClient, jobId: number | undefined): Promise<JobStatusJson[]> {
  if (jobId !== undefined) {
    return [(await client.request<{ job: JobStatusJson }>("GET", `/v1/jobs/get?id=${jobId}`)).job];
  }
  return (await client.request<{ jobs: JobStatusJson[] }>("GET", "/v1/jobs/list")).jobs;
}

function printOnce(io: CliIo, config: CliConfig, jobs: JobStatusJson[], jobId: number | undefined): void {
  if (config.json) {
    const value = jobId === undefined ? { jobs } : jobs[0];
    io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    return;
  }
  const { lines } = renderProgress(jobs, {
    tty: config.tty,
    color: config.color,
    now: Date.now(),
    width: io.stdout.columns ?? 0,
  });
  io.stdout.write(`${lines.join("\n")}\n`);
}

async function watch(
  io: CliIo,
  config: CliConfig,
  client: ControlClient,
  jobId: number | undefined,
): Promise<void> {
  const stop = new AbortController();
  const removeHandlers = onInterrupt(() => stop.abort());
  // Loaded on use: log-update is not needed by any other command (start-up of `hubpush upload`).
  const { ProgressDisplay } = await import("../render/progress-display.js");
  const display = new ProgressDisplay({ out: io.stdout, tty: config.tty, color: config.color });
  try {
    await runProgressLoop({
      poll: () => fetchJobs(client, jobId),
      // --json --watch: one JSON object per job per frame (NDJSON), for scripts that follow a job.
      draw: config.json
        ? (jobs) => {
            for (const job of jobs) io.stdout.write(`${JSON.stringify(job)}\n`);
          }
        : (jobs) => display.draw(jobs),
      intervalMs: config.progressIntervalMs,
      signal: stop.signal,
      // Watching one job ends when it settles; watching all runs until Ctrl-C.
      until: (jobs) => jobId !== undefined && jobs.every((job) => SETTLED.has(job.state)),
    });
  } finally {
    removeHandlers();
  }
}

/** `hubpush status [JOB] [--watch] [--json]`: files and bytes per stage, rates, ETA, errors. */
export function statusCommand(io: CliIo): Command {
  return new Command("status")
    .description("show progress: files and bytes per stage, rates, ETA, errors")
    .argument("[job]", "a job id (default: all jobs)", optionParsers.jobId)
    .option("--watch", "keep refreshing (until the job settles, or Ctrl-C)")
    .option("--json", "print JSON (with --watch: one line per job and refresh)")
    .addOption(progressIntervalOption())
    .action(async (jobId: number | undefined, flags: StatusFlags) => {
      const config = resolveCliConfig(io, flags);
      await withControlClient(config, async (client) => {
        if (flags.watch === true) await watch(io, config, client, jobId);
        else printOnce(io, config, await fetchJobs(client, jobId), jobId);
      });
    });
}
