import { Command } from "commander";
import { parseJobInput } from "../../core/job-input.js";
import type { JobStatusJson } from "../../daemon/job-status-json.js";
import { resolveCliConfig } from "../cli-config.js";
import type { CliIo } from "../cli-io.js";
import { checkDeleteFlags, type JobFlags, jobFlags, jobInputFromFlags } from "../job-flags.js";
import { settingsFromFlags } from "../settings-from-flags.js";
import { withControlClient } from "../with-control-client.js";

/** `hubpush add <folder|file> --repo ns/name`: validate here, enqueue in the daemon, print the job id. */
export function addCommand(io: CliIo): Command {
  const command = new Command("add")
    .description("add a folder (or one file) to the daemon's queue and print the job id")
    .argument(
      "<folder>",
      "the folder to upload, or one file (its path in the repo: --path-in-repo, default its name)",
    )
    .addHelpText(
      "after",
      "\n--workers and --max-rate change the daemon's settings for all jobs.\nThe daemon reads the token (HF_TOKEN from its own environment, $HF_HOME/token, or --token-file).",
    );
  return jobFlags(command, { watchOptions: true }).action(async (folder: string, flags: JobFlags) => {
    const config = resolveCliConfig(io, flags);
    checkDeleteFlags(flags, io.stderr);
    const input = jobInputFromFlags(folder, flags, config);
    // Fail fast on bad input before contacting the daemon; send absolute paths, the daemon's cwd differs.
    const { spec, options } = parseJobInput(input, { endpoint: config.endpoint, cwd: config.cwd });
    const body = {
      ...input,
      folder: spec.folder,
      endpoint: spec.endpoint,
      ...(options.tokenFile === null ? {} : { tokenFile: options.tokenFile }),
    };
    const answer = await withControlClient(config, async (client) => {
      const patch = settingsFromFlags(flags);
      if (Object.keys(patch).length > 0) await client.request("POST", "/v1/settings/update", patch);
      return client.request<{ job: JobStatusJson; created: boolean }>("POST", "/v1/jobs/add", body);
    });
    const { job, created } = answer;
    if (config.json) {
      io.stdout.write(`${JSON.stringify(job, null, 2)}\n`);
      return;
    }
    io.stdout.write(`${job.id}\n`);
    io.stderr.write(
      `hubpush: ${created ? "added" : "found existing"} job ${job.id}: ${job.folder} → ${job.repo.id} (${job.repo.type}@${job.repo.revision}); follow it with \`hubpush status ${job.id} --watch\`\n`,
    );
  });
}
