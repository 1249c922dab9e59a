import type { PrometheusText } from "./prometheus-text.js";

/** Seconds; control requests are local and mostly sub-millisecond, jobs/add stats a folder. */
export const LATENCY_BOUNDS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
] as const;

interface Histogram {
  counts: number[];
  sum: number;
}

/** Counters and latency histograms of the control API, kept in memory (reset when the daemon restarts). */
export class ControlMetrics {
  readonly #latency = new Map<string, Histogram>();
  readonly #requests = new Map<string, { route: string; method: string; status: number; count: number }>();
  readonly #errors = new Map<string, number>();

  /** `route` must come from the route table (or "other"), so label values stay few. */
  observe(method: string, route: string, status: number, seconds: number): void {
    const key = `${method} ${route} ${status}`;
    const entry = this.#requests.get(key) ?? { route, method, status, count: 0 };
    entry.count += 1;
    this.#requests.set(key, entry);
    const histogram = this.#latency.get(route) ?? {
      counts: new Array(LATENCY_BOUNDS.length + 1).fill(0),
      sum: 0,
    };
    const index = LATENCY_BOUNDS.findIndex((bound) => seconds <= bound);
    const slot = index === -1 ? LATENCY_BOUNDS.length : index;
    histogram.counts[slot] = (histogram.counts[slot] ?? 0) + 1;
    histogram.sum += seconds;
    this.#latency.set(route, histogram);
  }

  countError(code: string): void {
    this.#errors.set(code, (this.#errors.get(code) ?? 0) + 1);
  }

  writeTo(out: PrometheusText): void {
    out.counter(
      "hubpush_control_requests_total",
      "Control API requests answered, by route, method and HTTP status.",
      [...this.#requests.values()].map((r) => ({
        labels: { route: r.route, method: r.method, status: r.status },
        value: r.count,
      })),
    );
    out.counter(
      "hubpush_control_errors_total",
      "Control API requests answered with an error, by error code.",
      [...this.#errors].map(([code, value]) => ({ labels: { code }, value })),
    );
    out.histogram(
      "hubpush_control_request_duration_seconds",
      "Time to answer a control API request (event streams: time to the first byte).",
      [...this.#latency].map(([route, h]) => ({
        labels: { route },
        bounds: LATENCY_BOUNDS,
        counts: h.counts,
        sum: h.sum,
      })),
    );
  }
}
