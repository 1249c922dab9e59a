import path from "node:path";
import type { Logger } from "pino";
import { HubpushError } from "../common/hubpush-error.js";
import type { Engine } from "../core/engine.js";
import { DEFAULT_TUNING, type EngineTuning } from "../core/engine-tuning.js";
import { parseJobInput } from "../core/job-input.js";
import type { JobRecord, Journal } from "../storage/journal.js";
import type { ControlMetrics } from "./control-metrics.js";
import { intQuery, jobIdFromBody, jobIdFromQuery } from "./control-params.js";
import type { WatcherStatus } from "./folder-watchers.js";
import { toJobStatusJson } from "./job-status-json.js";
import { parseSettingsPatch } from "./parse-settings-patch.js";
import { renderMetrics } from "./render-metrics.js";
import { uiRoutesForControl } from "./ui-control-routes.js";
import type { UiControl } from "./ui-status.js";

/** What the routes need from the daemon, resolved once at start. */
export interface ControlContext {
  readonly engine: Engine;
  readonly journal: Journal;
  readonly logger: Logger;
  readonly metrics: ControlMetrics;
  readonly home: string;
  readonly version: string;
  /** Epoch ms. */
  readonly startedAt: number;
  /** Endpoint for jobs that do not name one (the daemon's HF_ENDPOINT or https://huggingface.co). */
  readonly defaultEndpoint: string;
  /** Starts the graceful stop (after the answer is sent). */
  readonly requestShutdown: () => void;
  /** The folder watcher of a watch job, if the daemon runs one. */
  readonly watchStatus?: (jobId: number) => WatcherStatus | null;
  /** Rescan schedule knobs, to show when a watch job's next rescan is due. */
  readonly rescanPolicy?: Pick<EngineTuning, "watchRescanMs">;
  /** The status page (docs/ui.md); absent = the /v1/ui/… routes answer that it is unavailable. */
  readonly ui?: UiControl;
}

export interface RouteInput {
  readonly query: URLSearchParams;
  readonly body: unknown;
}

export type RouteAnswer =
  | { readonly status: number; readonly json: unknown; readonly afterSend?: () => void }
  | { readonly status: number; readonly text: string; readonly contentType: string };

export interface Route {
  readonly method: "GET" | "POST";
  /** Changes state: refused while the daemon stops. */
  readonly mutates: boolean;
  handle(input: RouteInput): RouteAnswer | Promise<RouteAnswer>;
}

function jobOrThrow(journal: Journal, id: number): JobRecord {
  const job = journal.jobs.get(id);
  if (job === null) {
    throw new HubpushError("ERR_JOB_NOT_FOUND", `there is no job ${id}: \`hubpush list\` shows the jobs`, {
      details: { jobId: id },
    });
  }
  return job;
}

/** The daemon does not know the caller's working directory, so paths must arrive absolute. */
function requireAbsolute(body: unknown, key: "folder" | "tokenFile"): void {
  const value = (body as Record<string, unknown>)[key];
  if (typeof value === "string" && value !== "" && !path.isAbsolute(value)) {
    throw new HubpushError(
      "ERR_CONTROL_BAD_REQUEST",
      `${key} "${value}" is relative: give an absolute path (the daemon does not know your working directory)`,
    );
  }
}

/** The control API's route table (docs/control-api.md), keyed by path. */
export function controlRoutes(ctx: ControlContext): ReadonlyMap<string, Route> {
  const { engine, journal } = ctx;
  const status = (id: number) =>
    toJobStatusJson(engine.progress(id), {
      watcher: ctx.watchStatus?.(id) ?? null,
      tuning: ctx.rescanPolicy ?? DEFAULT_TUNING,
    });
  const jobAction = (action: (id: number) => JobRecord, name: string): Route => ({
    method: "POST",
    mutates: true,
    handle: ({ body }) => {
      const id = jobIdFromBody(body);
      jobOrThrow(journal, id);
      const job = action(id);
      ctx.logger.info({ jobId: id, action: name, state: job.state }, "job action");
      return { status: 200, json: { job: status(id) } };
    },
  });
  return new Map<string, Route>([
    [
      "/v1/version",
      {
        method: "GET",
        mutates: false,
        handle: () => ({
          status: 200,
          json: {
            version: ctx.version,
            node: process.version,
            pid: process.pid,
            startedAt: new Date(ctx.startedAt).toISOString(),
            home: ctx.home,
          },
        }),
      },
    ],
    [
      "/v1/jobs/add",
      {
        method: "POST",
        mutates: true,
        handle: ({ body }) => {
          if (typeof body === "object" && body !== null && !Array.isArray(body)) {
            requireAbsolute(body, "folder");
            requireAbsolute(body, "tokenFile");
          }
          const { spec, options } = parseJobInput(body, { endpoint: ctx.defaultEndpoint, cwd: "/" });
          const created = journal.jobs.find(spec) === null;
          const job = engine.addJob(spec, options);
          ctx.logger.info({ jobId: job.id, repo: job.repoId, folder: job.folder, created }, "job added");
          return { status: 201, json: { job: status(job.id), created } };
        },
      },
    ],
    [
      "/v1/jobs/list",
      {
        method: "GET",
        mutates: false,
        handle: () => ({ status: 200, json: { jobs: journal.jobs.list().map((job) => status(job.id)) } }),
      },
    ],
    [
      "/v1/jobs/get",
      {
        method: "GET",
        mutates: false,
        handle: ({ query }) => {
          const id = jobIdFromQuery(query);
          jobOrThrow(journal, id);
          return { status: 200, json: { job: status(id) } };
        },
      },
    ],
    ["/v1/jobs/pause", jobAction((id) => engine.pause(id), "pause")],
    ["/v1/jobs/resume", jobAction((id) => engine.resume(id), "resume")],
    ["/v1/jobs/cancel", jobAction((id) => engine.cancel(id), "cancel")],
    ["/v1/jobs/retry", jobAction((id) => engine.retry(id), "retry")],
    [
      "/v1/events/list",
      {
        method: "GET",
        mutates: false,
        handle: ({ query }) => {
          const since = intQuery(query, "since", 0);
          const limit = Math.max(1, intQuery(query, "limit", 1000, 10_000));
          return {
            status: 200,
            json: { events: journal.events.read(since, limit), lastId: journal.events.lastId() },
          };
        },
      },
    ],
    [
      "/v1/settings/get",
      {
        method: "GET",
        mutates: false,
        handle: () => ({ status: 200, json: { settings: engine.settings() } }),
      },
    ],
    [
      "/v1/settings/update",
      {
        method: "POST",
        mutates: true,
        handle: ({ body }) => {
          const settings = engine.updateSettings(parseSettingsPatch(body));
          ctx.logger.info({ settings }, "settings updated");
          return { status: 200, json: { settings } };
        },
      },
    ],
    [
      "/v1/daemon/shutdown",
      {
        method: "POST",
        mutates: false,
        handle: () => ({ status: 202, json: { ok: true }, afterSend: ctx.requestShutdown }),
      },
    ],
    [
      "/v1/metrics",
      {
        method: "GET",
        mutates: false,
        handle: () => ({
          status: 200,
          contentType: "text/plain; version=0.0.4; charset=utf-8",
          text: renderMetrics({ journal, engine, control: ctx.metrics, startedAt: ctx.startedAt }),
        }),
      },
    ],
    ...uiRoutesForControl(ctx, (id) => jobOrThrow(journal, id)),
  ]);
}
