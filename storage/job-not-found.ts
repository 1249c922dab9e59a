import { HubpushError } from "../common/hubpush-error.js";

export function jobNotFound(path: string, jobId: number): HubpushError {
  return new HubpushError(
    "ERR_JOB_NOT_FOUND",
    `There is no job ${jobId} in the journal ${path}. List the jobs with \`hubpush list\`.`,
    { details: { jobId, path } },
  );
}
