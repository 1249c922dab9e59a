import t from "tap";
import { AdaptiveStreams } from "../../../core/pacing/adaptive-streams.js";

// The adaptive upload-connection count: grows one stream at a time only while the rate rises with
// it, takes back a step that did not pay, never leaves [start, max]. A link is modelled as a
// function of the stream count: each connection capped at `conn`, all together at `total`.
const link =
  (conn: number, total: number) =>
  (streams: number): number =>
    Math.min(total, streams * conn);

/** Runs `windows` windows against `rateOf`, always wanted; returns the limits seen. */
function drive(a: AdaptiveStreams, rateOf: (n: number) => number, windows: number): number[] {
  const seen: number[] = [];
  for (let i = 0; i < windows; i++) {
    a.observe(rateOf(a.limit), true);
    seen.push(a.limit);
  }
  return seen;
}

t.test("a per-connection cap: grows to the count that fills the total, then stops", async (t) => {
  const a = new AdaptiveStreams({ start: 4, max: 16 });
  const seen = drive(a, link(20e6, 100e6), 12);
  t.equal(a.limit, 5, "5 × 20 MB/s fill 100 MB/s; a sixth stream adds nothing and is taken back");
  t.ok(Math.max(...seen) <= 6, "never more than one probe past the useful count");
});

t.test("a low cap (polite): one stream already fills it, the start count is kept", async (t) => {
  const a = new AdaptiveStreams({ start: 4, max: 16 });
  const seen = drive(a, link(20e6, 10e6), 30);
  t.ok(
    seen.every((n) => n <= 5),
    "a probe past 4 is taken back at once",
  );
  t.equal(a.limit, 4);
});

t.test("never above max, never below start, whatever the rates", async (t) => {
  const a = new AdaptiveStreams({ start: 3, max: 7, reprobeWindows: 2 });
  let x = 1;
  for (let i = 0; i < 2000; i++) {
    x = (x * 48271) % 2147483647; // a deterministic jumble of rates, rising and falling
    a.observe(x % 1_000_000_000, x % 3 !== 0);
    t.ok(a.limit >= 3 && a.limit <= 7, `limit ${a.limit} within [3, 7]`, { diagnostic: false });
  }
  const rising = new AdaptiveStreams({ start: 3, max: 7 });
  drive(rising, (n) => n * 1e9, 50);
  t.equal(rising.limit, 7, "a rate that always rises stops at max");
});

t.test("grows only while the rate rises, and only when streams were wanted", async (t) => {
  const a = new AdaptiveStreams({ start: 2, max: 16, reprobeWindows: 3 });
  t.equal(a.observe(10e6, false), "keep", "nobody waited for a stream: no growth");
  t.equal(a.limit, 2);
  t.equal(a.observe(10e6, true), "grow");
  t.equal(a.limit, 3);
  // +20 % is below the 25 % (0.5 / 2) that one more of 2 streams should bring: taken back.
  t.equal(a.observe(12e6, true), "revert");
  t.equal(a.limit, 2);
  t.equal(a.observe(12e6, true), "keep", "settled: no probe at once");
  t.equal(a.observe(12e6, true), "keep");
  t.equal(a.observe(12e6, true), "grow", "after reprobeWindows a settled count probes again");
  t.equal(a.observe(18e6, true), "grow", "+50 % keeps the step and tries the next");
  t.equal(a.limit, 4);
  t.equal(AdaptiveStreams.riseNeeded(100), 0.03, "the rise needed has a floor");
});

t.test("transfers that count no bytes never grow the count past one probe", async (t) => {
  const a = new AdaptiveStreams({ start: 4, max: 16, reprobeWindows: 3 });
  const seen = drive(a, () => 0, 40);
  t.ok(
    seen.every((n) => n <= 5),
    `at most one step on trial (${Math.max(...seen)})`,
  );
  t.equal(a.limit, 4);
});

t.test("a bad start is refused", async (t) => {
  t.throws(() => new AdaptiveStreams({ start: 0, max: 4 }), RangeError);
  t.equal(new AdaptiveStreams({ start: 6, max: 2 }).max, 6, "max is at least start");
});

t.test("settleWindows: a window that still shows the old count's rate does not judge a step", async (t) => {
  // Sockets buffer what they are handed (seconds of a slow connection): the window right after a
  // change reads the rate of the count before it. Judged on it, every step would look useless.
  const lagging = (settleWindows: number): number => {
    const a = new AdaptiveStreams({ start: 4, max: 16, settleWindows });
    const rateOf = link(1e6, 5e6);
    let previous = a.limit; // the count during the window before
    for (let i = 0; i < 12; i++) {
      const now = a.limit;
      a.observe(rateOf(previous), true); // this window shows the count of the one before
      previous = now;
    }
    return a.limit;
  };
  t.equal(lagging(0), 4, "without settling, the fifth stream is judged on the fourth's rate and taken back");
  t.equal(lagging(1), 5, "one window of settling finds the count that fills the link");
  const a = new AdaptiveStreams({ start: 2, max: 8, settleWindows: 2 });
  a.settle();
  t.equal(a.observe(50e6, true), "keep", "a start's first windows are not read");
  t.equal(a.observe(50e6, true), "keep");
  t.equal(a.observe(10e6, true), "grow", "then the rate sets the baseline and a step is tried");
});

t.test("judgeWindows: a step is judged on the mean of its windows, not on one lumpy window", async (t) => {
  // 4 → 5 streams on a link that 5 fill: the trial's windows read 3 and 7 MB/s (answers that came
  // together fell into the second), 5 on the mean against a baseline of 4.
  const run = (judgeWindows: number) => {
    const a = new AdaptiveStreams({ start: 4, max: 16, judgeWindows });
    a.observe(4e6, true);
    if (judgeWindows > 1) a.observe(4e6, true);
    const afterBaseline = a.limit;
    const decisions = [a.observe(3e6, true), ...(judgeWindows > 1 ? [a.observe(7e6, true)] : [])];
    return { afterBaseline, decisions, limit: a.limit };
  };
  t.same(run(1).decisions, ["revert"], "judged on the lumpy window alone, the useful step is taken back");
  const two = run(2);
  t.equal(two.afterBaseline, 5, "the baseline's two windows read, a step is tried");
  t.same(two.decisions, ["keep", "grow"], "judged on the mean of two, the step stays and the next is tried");
  t.equal(two.limit, 6);
});
