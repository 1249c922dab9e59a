import { Command } from "commander";
import type { JobStatusJson } from "../../daemon/job-status-json.js";
import { resolveCliConfig } from "../cli-config.js";
import type { CliIo } from "../cli-io.js";
import { optionParsers } from "../option-parsers.js";
import { withControlClient } from "../with-control-client.js";

export type JobAction = "pause" | "resume" | "cancel" | "retry";

const DESCRIPTIONS: Record<JobAction, string> = {
  pause: "pause a job (work in flight finishes; nothing new starts)",
  resume: "resume a paused job",
  cancel: "cancel a job (what is committed stays committed)",
  retry: "retry a blocked job and its failed files (the token is read again)",
};

/** `hubpush pause|resume|cancel|retry JOB`: POST /v1/jobs/<action> and print the job's new state. */
export function jobActionCommand(io: CliIo, action: JobAction): Command {
  return new Command(action)
    .description(DESCRIPTIONS[action])
    .argument("<job>", "the job id (see `hubpush list`)", optionParsers.jobId)
    .option("--json", "print the job's status as JSON")
    .action(async (id: number, flags: { json?: boolean }) => {
      const config = resolveCliConfig(io, flags);
      const { job } = await withControlClient(config, (client) =>
        client.request<{ job: JobStatusJson }>("POST", `/v1/jobs/${action}`, { id }),
      );
      if (config.json) io.stdout.write(`${JSON.stringify(job, null, 2)}\n`);
      else io.stdout.write(`job ${job.id} (${job.repo.id}): ${job.state}\n`);
    });
}
