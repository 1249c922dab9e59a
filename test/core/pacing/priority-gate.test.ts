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

// At an idle start the slots wait START_GATHER_MS-like for the files claimed together (they come
// over a few round trips), so the biggest of them goes first; waiters of a busy gate never wait.
t.test("an idle start gathers its waiters before the first slot goes", async (t) => {
  const order: string[] = [];
  const job = (name: string) => async () => {
    order.push(name);
  };
  const gate = new PriorityGate(1, undefined, 60);
  const first = gate.run(job("small, first"), 1_000_000);
  await new Promise((r) => setTimeout(r, 20)); // a later LFS batch answers
  const second = gate.run(job("big, 20 ms later"), 40_000_000);
  t.equal(gate.activeCount, 0, "nothing started while gathering");
  await Promise.all([first, second]);
  t.same(order, ["big, 20 ms later", "small, first"], "the biggest of the gathered goes first");

  const plain = new PriorityGate(1);
  const seen: string[] = [];
  const a = plain.run(async () => {
    seen.push("small, first");
  }, 1_000_000);
  const b = plain.run(async () => {
    seen.push("big, later");
  }, 40_000_000);
  await Promise.all([a, b]);
  t.same(seen, ["small, first", "big, later"], "without a gather the first waiter takes the idle slot");

  const busy = new PriorityGate(1, undefined, 300);
  let release: () => void = () => {};
  const holder = busy.run(
    () =>
      new Promise<void>((resolve) => {
        release = resolve;
      }),
  );
  await new Promise((r) => setTimeout(r, 350)); // the start's gather
  t.equal(busy.activeCount, 1, "the start ran after its gather");
  let nextAt = 0;
  const next = busy.run(async () => {
    nextAt = performance.now();
  }, 5);
  const freedAt = performance.now();
  release();
  await holder;
  await next;
  t.ok(
    nextAt - freedAt < 150,
    `a waiter of a busy gate starts when a slot frees (${(nextAt - freedAt).toFixed(0)} ms)`,
  );
});
