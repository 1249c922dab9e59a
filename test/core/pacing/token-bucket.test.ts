import t from "tap";
import { TokenBucket } from "../../../core/pacing/token-bucket.js";

function clock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let now = start;
  return { now: () => now, advance: (ms) => (now += ms) };
}

t.test("a full bucket allows its burst at once, then paces at the refill rate", async (t) => {
  const c = clock();
  const bucket = new TokenBucket({ capacity: 10, refillPerSecond: 2, now: c.now });
  for (let i = 0; i < 10; i++) await bucket.take(1);
  t.equal(bucket.delayFor(1), 500, "the 11th token comes after half a second at 2/s");
  c.advance(500);
  t.equal(bucket.delayFor(1), 0);
});

t.test("the Hub's API window: 1000 calls per 300 s", async (t) => {
  const c = clock();
  const bucket = new TokenBucket({ capacity: 1000, refillPerSecond: 1000 / 300, now: c.now });
  for (let i = 0; i < 1000; i++) await bucket.take(1);
  t.equal(bucket.delayFor(1), 300, "one more call waits a third of a second");
  c.advance(300_000);
  t.equal(bucket.delayFor(1000), 0, "after the window the whole budget is back");
});

t.test("a 429 with Retry-After holds everyone until then and nothing more", async (t) => {
  const c = clock();
  const bucket = new TokenBucket({ capacity: 100, refillPerSecond: 10, now: c.now });
  bucket.penalize(5_000, 60_000);
  bucket.penalize(2_000, 60_000);
  t.equal(bucket.refillPerSecond, 10, "the rate is unchanged");
  t.ok(bucket.delayFor(1) >= 5_000, "nobody goes before the longest Retry-After");
  c.advance(5_000);
  t.equal(
    bucket.delayFor(100),
    0,
    "after the hold, the budget left is usable at once (the Hub's window reset)",
  );
});

t.test(
  "a 429 without Retry-After holds for the fallback and halves the rate, which recovers later",
  async (t) => {
    const c = clock();
    const bucket = new TokenBucket({ capacity: 100, refillPerSecond: 10, now: c.now });
    bucket.penalize(undefined, 3_000);
    t.equal(bucket.refillPerSecond, 5, "the rate is halved");
    t.ok(bucket.delayFor(1) >= 3_000, "nobody goes before the fallback hold");
    c.advance(3_000);
    t.equal(bucket.delayFor(20), 1_000, "the tokens were dropped: 15 came back in 3 s, 5 more take a second");
    for (let i = 0; i < 10; i++) bucket.penalize(undefined, 0);
    t.equal(bucket.refillPerSecond, 1, "never below a tenth of the configured rate");
    c.advance(301_000);
    bucket.delayFor(1);
    t.ok(bucket.refillPerSecond > 1, "the rate recovers after 5 minutes without a 429");
  },
);

t.test("reconfigure changes the rate at run time (--max-rate)", async (t) => {
  const c = clock();
  const bucket = new TokenBucket({ capacity: 1000, refillPerSecond: 1000, now: c.now });
  await bucket.take(1000);
  bucket.reconfigure(100, 100);
  t.equal(bucket.delayFor(100), 1000, "100 tokens at 100/s take a second");
});

t.test("take() waits for real when the bucket is empty, and returns early on abort", async (t) => {
  // A refill of one token per 1,000 s: only the abort can end this wait within the test's time.
  const bucket = new TokenBucket({ capacity: 1, refillPerSecond: 0.001 });
  await bucket.take(1);
  const controller = new AbortController();
  const pending = bucket.take(1, controller.signal).then(() => "returned" as const);
  setTimeout(() => controller.abort(), 20);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<"still waiting">((resolve) => {
    timer = setTimeout(() => resolve("still waiting"), 2_000);
  });
  t.equal(await Promise.race([pending, deadline]), "returned", "an aborted take returns at once");
  clearTimeout(timer);
});
