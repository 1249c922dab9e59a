import t from "tap";
import { RateMeter } from "../../core/rate-meter.js";

t.test("the rate is right from the first seconds and falls to 0 when idle", async (t) => {
  let now = 1_000_000;
  const meter = new RateMeter(20_000, () => now);
  t.equal(meter.rate, 0, "nothing yet");
  for (let i = 0; i < 4; i++) {
    meter.add(3_000_000);
    now += 1000;
  }
  t.equal(Math.round(meter.rate), 3_000_000, "3 MB/s after 4 s of 3 MB/s");
  now += 10_000;
  t.ok(meter.rate < 1_000_000, "decays while idle");
  now += 30_000;
  t.equal(meter.rate, 0, "0 after a whole idle window");
});

t.test("a burst in the first second is not inflated beyond a per-second figure", async (t) => {
  let now = 5_000;
  const meter = new RateMeter(20_000, () => now);
  meter.add(500);
  now += 100;
  t.equal(meter.rate, 500, "at most units per second of elapsed time, with a 1 s floor");
});
