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
