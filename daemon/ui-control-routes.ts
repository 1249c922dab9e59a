import { HubpushError } from "../common/hubpush-error.js";
import type { JobRecord, Journal } from "../storage/journal.js";
import { intQuery, jobIdFromQuery } from "./control-params.js";
import { jobHistory } from "./ui-history.js";
import type { UiControl } from "./ui-status.js";

function portFromBody(body: unknown): number | null {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new HubpushError("ERR_CONTROL_BAD_REQUEST", 'the body must be a JSON object, e.g. {"port": 8765}');
  }
  const port = (body as { port?: unknown }).port;
  if (port === undefined || port === null) return null;
  if (typeof port !== "number" || !Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new HubpushError(
      "ERR_CONTROL_BAD_REQUEST",
      "port must be a whole number from 0 to 65535 (0 = any free port)",
    );
  }
  return port;
}

/** The route shape of control-routes.ts, restated here so that file alone imports this one. */
interface UiRoute {
  readonly method: "GET" | "POST";
  readonly mutates: boolean;
  handle(input: {
    readonly query: URLSearchParams;
    readonly body: unknown;
  }):
    | { readonly status: number; readonly json: unknown }
    | Promise<{ readonly status: number; readonly json: unknown }>;
}

function uiOrThrow(ctx: { readonly ui?: UiControl | undefined }): UiControl {
  if (ctx.ui === undefined) throw new HubpushError("ERR_UI_START", "this daemon has no status page");
  return ctx.ui;
}

/** The control routes behind `hubpush ui` and the page's job view (docs/control-api.md). */
export function uiRoutesForControl(
  ctx: { readonly ui?: UiControl | undefined; readonly journal: Journal },
  jobOrThrow: (id: number) => JobRecord,
): Array<[string, UiRoute]> {
  return [
    [
      "/v1/ui/start",
      {
        method: "POST",
        mutates: true,
        handle: async ({ body }) => ({
          status: 200,
          json: { ui: await uiOrThrow(ctx).start(portFromBody(body)) },
        }),
      },
    ],
    [
      "/v1/ui/stop",
      {
        method: "POST",
        mutates: false,
        handle: async () => ({ status: 200, json: { ui: await uiOrThrow(ctx).stop() } }),
      },
    ],
    [
      "/v1/ui/status",
      {
        method: "GET",
        mutates: false,
        handle: () => ({ status: 200, json: { ui: uiOrThrow(ctx).status() } }),
      },
    ],
    [
      "/v1/jobs/history",
      {
        method: "GET",
        mutates: false,
        handle: ({ query }) => {
          const job = jobOrThrow(jobIdFromQuery(query));
          const minutes = Math.max(1, intQuery(query, "minutes", 60, 24 * 60));
          return { status: 200, json: { history: jobHistory(ctx.journal, job, minutes) } };
        },
      },
    ],
  ];
}
