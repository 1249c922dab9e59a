import { Command } from "commander";
import type { JobStatusJson } from "../../daemon/job-status-json.js";
import { resolveCliConfig } from "../cli-config.js";
import type { CliIo } from "../cli-io.js";
import { listRows } from "../render/list-rows.js";
import { withControlClient } from "../with-control-client.js";

/** `hubpush list [--json]`. */
export function listCommand(io: CliIo): Command {
  return new Command("list")
    .description("list the daemon's jobs, one line each")
    .option("--json", 'print {"jobs": [...]} as JSON')
    .action(async (flags: { json?: boolean }) => {
      const config = resolveCliConfig(io, flags);
      const { jobs } = await withControlClient(config, (client) =>
        client.request<{ jobs: JobStatusJson[] }>("GET", "/v1/jobs/list"),
      );
      if (config.json) {
        io.stdout.write(`${JSON.stringify({ jobs }, null, 2)}\n`);
      } else if (jobs.length === 0) {
        io.stdout.write("no jobs; add one with `hubpush add <folder> --repo <ns/name>`\n");
      } else {
        io.stdout.write(`${listRows(jobs).join("\n")}\n`);
      }
    });
}
