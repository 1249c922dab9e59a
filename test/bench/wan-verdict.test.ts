import t from "tap";
import { formatClientRuns, median, roundOrder } from "../../bench/lib/wan-verdict.js";

// W8's verdict over --repeat N runs: the median, so one run slowed by a neighbour is not the verdict.
t.test("median: the middle run, or the mean of the middle two", async (t) => {
  t.equal(median([0.8]), 0.8);
  t.equal(median([0.86, 0.7, 0.85]), 0.85, "one slow run among three does not decide");
  t.ok(Math.abs(median([0.9, 0.8, 0.7, 0.86]) - 0.83) < 1e-9, "an even count: the mean of the middle two");
  t.ok(Number.isNaN(median([])), "no run, no figure");
});

t.test("formatClientRuns prints the median with every run beside it", async (t) => {
  t.equal(
    formatClientRuns({ client: "hubpush", fractions: [0.81], connections: [7] }),
    "hubpush 0.81 (7 connections)",
  );
  t.equal(
    formatClientRuns({ client: "hubpush", fractions: [0.86, 0.7, 0.85], connections: [7, 6, 7] }),
    "hubpush 0.85 (median of 0.86, 0.70, 0.85; 7, 6, 7 connections)",
  );
});

t.test("roundOrder alternates so a drifting load weighs on every client alike", async (t) => {
  const clients = ["peer", "python", "hubpush"];
  t.same(roundOrder(clients, 0), clients);
  t.same(roundOrder(clients, 1), ["hubpush", "python", "peer"]);
  t.same(roundOrder(clients, 2), clients);
  t.same(clients, ["peer", "python", "hubpush"], "the list given is not changed");
});
