import t from "tap";
import { UploadStreams } from "../../../core/pacing/upload-streams.js";

// The engine's part-buffer pool: never more bytes allocated than the budget, buffers reused.
t.test("part buffers stay within the budget and are reused", async (t) => {
  const s = new UploadStreams({ start: 2, max: 4, windowMs: 1000, bufferBytes: 48 });
  const a = s.takeBuffer(16);
  const b = s.takeBuffer(16);
  const c = s.takeBuffer(16);
  t.ok(a && b && c, "three parts of 16 fit in 48");
  t.equal(s.takeBuffer(16), null, "a fourth does not");
  t.equal(s.bufferBytesAllocated, 48);
  if (a) s.giveBack(a);
  const again = s.takeBuffer(10);
  t.equal(again, a, "a freed buffer is reused for a shorter part");
  t.equal(s.bufferBytesAllocated, 48, "no new allocation");
  if (b) s.giveBack(b);
  t.equal(s.takeBuffer(40), null, "too big while the others are held");
  if (c) s.giveBack(c);
  t.equal(s.takeBuffer(40), null, "still too big while one 16 is held");
  if (again) s.giveBack(again);
  const big = s.takeBuffer(40);
  t.ok(big && big.length >= 40, "freed small buffers make room for a bigger one");
  t.ok(s.bufferBytesAllocated <= 48, `allocated ${s.bufferBytesAllocated} ≤ 48`);
});

// Bytes handed to a socket are not yet on the link: a request's last heldBytesPerStream count
// only once it resolved, so a body that fills its socket buffer at once does not read as speed.
t.test("a request body's held bytes count when its answer came", async (t) => {
  const s = new UploadStreams({
    start: 2,
    max: 4,
    windowMs: 60_000,
    bufferBytes: 0,
    heldBytesPerStream: 100,
  });
  let release: () => void = () => {};
  const answered = new Promise<void>((resolve) => {
    release = resolve;
  });
  const put = s.withStream(async (meter) => {
    meter.sent(60);
    t.equal(s.countedBytes, 0, "60 bytes handed over, all of them may still sit in the socket");
    meter.sent(90);
    t.equal(s.countedBytes, 50, "past the 100 held, the rest counts at once");
    await answered;
  });
  await new Promise((r) => setImmediate(r));
  t.equal(s.countedBytes, 50, "nothing more before the answer");
  release();
  await put;
  t.equal(s.countedBytes, 150, "the answer counts every byte of the body");
  await t.rejects(
    s.withStream(async (meter) => {
      meter.sent(30);
      throw new Error("reset");
    }),
    /reset/,
  );
  t.equal(s.countedBytes, 150, "a failed body's held bytes never count");
});

// A file that waits for room to send one more part wants a stream in every window until room is
// made, not only in the window it said so (the count grows a step per window while it waits).
t.test("a want lasts until room is made", async (t) => {
  const s = new UploadStreams({ start: 2, max: 2, windowMs: 20, bufferBytes: 0 }); // no step: no wake
  let release: () => void = () => {};
  const busy = s.withStream(
    () =>
      new Promise<void>((resolve) => {
        release = resolve;
      }),
  );
  s.wantMore();
  await new Promise((r) => setTimeout(r, 120)); // several windows pass
  t.ok(s.wanted, "still wanted windows later, while nobody was woken");
  release();
  await busy;
  await new Promise((r) => setImmediate(r));
  t.notOk(s.wanted, "room was made: the waiters look again and say so if they still want");
});
