import t from "tap";
import { HubpushError } from "../../../common/hubpush-error.js";
import { HubError } from "../../../core/hub/hub-error.js";
import { backoffMs, isRetryable } from "../../../core/hub/retry-policy.js";

t.test("the ceiling doubles from baseMs and stops at capMs", async (t) => {
  const top = (attempt: number) => backoffMs(attempt, { baseMs: 1000, capMs: 60_000, random: () => 1 });
  t.same([1, 2, 3, 4, 5, 6, 7, 8].map(top), [1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000]);
  t.equal(top(0), 1000, "attempt 0 counts as the first");
  t.equal(top(10_000), 60_000, "huge attempts stay at the cap");
  t.equal(top(Number.POSITIVE_INFINITY), 60_000);
  t.equal(top(Number.NaN), 1000);
  t.equal(backoffMs(1, { random: () => 0 }), 0, "full jitter reaches zero");
});

t.test("defaults: base 1 s, cap 5 min", async (t) => {
  t.equal(backoffMs(1, { random: () => 1 }), 1000);
  t.equal(backoffMs(50, { random: () => 1 }), 300_000);
});

t.test("jitter stays within [0, ceiling] and the ceiling never decreases", async (t) => {
  let seed = 42;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  let previousCeiling = 0;
  let outside = 0;
  let spread = new Set<number>();
  for (let attempt = 1; attempt <= 30; attempt++) {
    const ceiling = backoffMs(attempt, { baseMs: 500, capMs: 120_000, random: () => 1 });
    t.ok(ceiling >= previousCeiling, `ceiling of attempt ${attempt} is monotone`);
    t.ok(ceiling <= 120_000);
    previousCeiling = ceiling;
    spread = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const wait = backoffMs(attempt, { baseMs: 500, capMs: 120_000, random });
      if (wait < 0 || wait > ceiling) outside++;
      spread.add(Math.floor((wait / (ceiling + 1)) * 4));
    }
  }
  t.equal(outside, 0, "no wait outside [0, ceiling]");
  t.equal(spread.size, 4, "waits spread over the whole window");
});

t.test("retryAfterMs is a floor, even above the cap", async (t) => {
  t.equal(backoffMs(1, { random: () => 0, retryAfterMs: 7000 }), 7000);
  t.equal(
    backoffMs(3, { baseMs: 1000, random: () => 1, retryAfterMs: 100 }),
    4000,
    "a shorter hint does not shorten",
  );
  t.equal(backoffMs(1, { capMs: 1000, random: () => 1, retryAfterMs: 3_600_000 }), 3_600_000);
});

t.test("isRetryable reads the error's classification", async (t) => {
  t.ok(isRetryable(new HubError("ERR_HUB_SERVER", "x", { retryable: true })));
  t.notOk(isRetryable(new HubError("ERR_HUB_UNAUTHORIZED", "x")));
  t.ok(isRetryable(new HubpushError("ERR_HUB_NETWORK", "x", { retryable: true })));
  t.notOk(isRetryable(new Error("plain")));
  t.notOk(isRetryable("string"));
});
