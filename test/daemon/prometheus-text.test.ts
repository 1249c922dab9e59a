import t from "tap";
import { PrometheusText } from "../../daemon/prometheus-text.js";

t.test("gauges, counters and histograms in text format 0.0.4", async (t) => {
  const out = new PrometheusText()
    .gauge("hp_files", "Files per state.", [
      { labels: { job: 1, state: "committed" }, value: 3 },
      { labels: { job: 1, state: "failed" }, value: 0 },
    ])
    .counter("hp_total", "A counter\nwith a newline and a \\ backslash.", [{ value: 7 }])
    .histogram("hp_seconds", "Latency.", [
      { labels: { route: "/v1/version" }, bounds: [0.1, 1], counts: [2, 1, 1], sum: 3.5 },
    ])
    .toString();
  t.equal(
    out,
    [
      "# HELP hp_files Files per state.",
      "# TYPE hp_files gauge",
      'hp_files{job="1",state="committed"} 3',
      'hp_files{job="1",state="failed"} 0',
      "# HELP hp_total A counter\\nwith a newline and a \\\\ backslash.",
      "# TYPE hp_total counter",
      "hp_total 7",
      "# HELP hp_seconds Latency.",
      "# TYPE hp_seconds histogram",
      'hp_seconds_bucket{route="/v1/version",le="0.1"} 2',
      'hp_seconds_bucket{route="/v1/version",le="1"} 3',
      'hp_seconds_bucket{route="/v1/version",le="+Inf"} 4',
      'hp_seconds_sum{route="/v1/version"} 3.5',
      'hp_seconds_count{route="/v1/version"} 4',
      "",
    ].join("\n"),
  );
});

t.test("label values are escaped; names are checked; a family is written once", async (t) => {
  const out = new PrometheusText()
    .gauge("hp_repo", "Repo.", [{ labels: { repo: 'a"b\\c\nd' }, value: Number.POSITIVE_INFINITY }])
    .toString();
  t.match(out, /hp_repo\{repo="a\\"b\\\\c\\nd"\} \+Inf/);
  t.throws(() => new PrometheusText().gauge("bad-name", "x", []));
  t.throws(() => new PrometheusText().gauge("hp_x", "x", []).counter("hp_x", "x", []));
});
