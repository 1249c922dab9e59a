import { HubpushError } from "../common/hubpush-error.js";
import type { JobRecord, Journal } from "../storage/journal.js";
import { jobIdFromBody } from "./control-params.js";
import type { Route } from "./control-routes.js";

/** Control routes the page may read (GET, token in the header or the query). */
const READS = [
  "/v1/jobs/list",
  "/v1/jobs/get",
  "/v1/jobs/history",
  "/v1/settings/get",
  "/v1/version",
  "/v1/events/list",
];
/** Control routes the page may call (POST, token in the header only). */
const ACTIONS = [
  "/v1/jobs/pause",
  "/v1/jobs/resume",
  "/v1/jobs/cancel",
  "/v1/jobs/retry",
  "/v1/settings/update",
];

/** Which job states each action applies to; anything else is refused before the engine sees it. */
const ACTION_STATES: Readonly<Record<string, readonly JobRecord["state"][]>> = {
  "/v1/jobs/pause": ["active", "blocked"],
  "/v1/jobs/resume": ["paused", "blocked"],
  "/v1/jobs/cancel": ["active", "paused", "blocked"],
  "/v1/jobs/retry": ["active", "paused", "blocked", "done"],
};

/** The page's API prefix: /api/v1/… maps to the control route /v1/…. */
export const UI_API_PREFIX = "/api";

/**
 * The subset of the control API the page uses (no adding jobs, no daemon shutdown), each action
 * checked against the job's state first: the engine would e.g. happily mark a finished job paused,
 * and a page must not be able to do that by accident.
 */
export function uiRoutes(control: ReadonlyMap<string, Route>, journal: Journal): ReadonlyMap<string, Route> {
  const routes = new Map<string, Route>();
  for (const path of READS) {
    const route = control.get(path);
    if (route !== undefined) routes.set(`${UI_API_PREFIX}${path}`, route);
  }
  for (const path of ACTIONS) {
    const route = control.get(path);
    if (route === undefined) continue;
    const states = ACTION_STATES[path];
    routes.set(`${UI_API_PREFIX}${path}`, {
      method: "POST",
      mutates: true,
      handle: (input) => {
        if (states !== undefined) checkActionState(journal, path, states, input.body);
        return route.handle(input);
      },
    });
  }
  return routes;
}

function checkActionState(
  journal: Journal,
  path: string,
  states: readonly JobRecord["state"][],
  body: unknown,
): void {
  const id = jobIdFromBody(body);
  const job = journal.jobs.get(id);
  if (job === null) {
    throw new HubpushError("ERR_JOB_NOT_FOUND", `there is no job ${id}`, { details: { jobId: id } });
  }
  const action = path.slice(path.lastIndexOf("/") + 1);
  if (!states.includes(job.state)) {
    throw new HubpushError(
      "ERR_JOB_STATE",
      `job ${id} is ${job.state}: ${action} applies to ${states.join(", ")} jobs only, nothing was changed`,
      { details: { jobId: id, state: job.state } },
    );
  }
  if (action === "retry" && job.state === "done" && journal.jobs.counts(id).byState.failed.files === 0) {
    throw new HubpushError(
      "ERR_JOB_STATE",
      `job ${id} is done with no failed files: there is nothing to retry`,
      {
        details: { jobId: id, state: job.state },
      },
    );
  }
}
