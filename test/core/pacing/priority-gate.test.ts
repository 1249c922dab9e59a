import t from "tap";
import { MAX_HEAD_START_MS, PriorityGate } from "../../../core/pacing/priority-gate.js";

// File slots go to bigger files first (longest transfers first), but a size buys at most
// MAX_HEAD_START_MS of head start, so a small file never waits forever behind later big ones.
t.test("bigger first, with a bounded head start, never past the concurrency", async (t) => {
  let clock = 0;
  const gate = new PriorityGate(1, () => clock);
  const order: string[] = [];
  let release: () => void = () => {};
  const blocker = gate.run(
    () =>
      new Promise<void>((resolve) => {
        release = resolve;
      }),
  );
  const job = (name: string) => async () => {
    order.push(name);
    t.ok(gate.activeCount <= gate.concurrency, `${name} runs within the concurrency`);
  };
  const done = [
    gate.run(job("small"), 1_000),
    gate.run(job("big"), 40_000_000),
    gate.run(job("medium"), 5_000_000),
  ];
  clock = MAX_HEAD_START_MS + 1_000; // later still: a huge file's head start is capped
  done.push(gate.run(job("huge, queued late"), 10_000_000_000));
  t.equal(gate.pendingCount, 4);
  release();
  await blocker;
  await Promise.all(done);
  t.same(
    order,
    ["big", "medium", "small", "huge, queued late"],
    "sizes order the waiters; the cap keeps the early small one ahead",
  );

  const wide = new PriorityGate(1);
  let running = 0;
  let peak = 0;
  const slow = () => async () => {
    running += 1;
    peak = Math.max(peak, running);
    await new Promise((r) => setTimeout(r, 20));
    running -= 1;
  };
  const all = Array.from({ length: 6 }, () => wide.run(slow()));
  wide.concurrency = 3;
  await Promise.all(all);
  t.equal(peak, 3, "a raised concurrency starts waiters at once, and no more");
});
