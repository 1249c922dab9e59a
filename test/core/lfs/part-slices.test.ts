import { writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { join } from "node:path";
import t, { type Test } from "tap";
import { HubpushError } from "../../../common/hubpush-error.js";
import { PART_SLICE_BYTES, partSlices } from "../../../core/lfs/part-slices.js";
import { noise } from "../../helpers/noise.js";

// partSlices is the body of every LFS PUT (basic and multipart parts). Its check hook is the stat
// guard that stands in for the send-time re-hash (issue 16 item 6): it runs before the first read
// and after the last, and a failure there must keep the last slice from the store, so a store
// never receives a whole object or part read from a file that changed.
const SIZE = 2 * PART_SLICE_BYTES + 100; // three slices

async function run(t: Test, check: (when: "before" | "after") => Promise<void>) {
  const path = join(t.testdir(), "f.bin");
  const content = noise(SIZE, 3);
  writeFileSync(path, content);
  const handle = await open(path, "r");
  t.teardown(() => handle.close());
  const got: Buffer[] = [];
  let error: unknown = null;
  try {
    for await (const slice of partSlices({
      handle,
      start: 0,
      length: SIZE,
      displayPath: "f.bin",
      check,
      throttle: async () => {},
      onSent: () => {},
    }))
      got.push(Buffer.from(slice)); // copied: the slab is reused for the next slice
  } catch (err) {
    error = err;
  }
  return { content, out: Buffer.concat(got), error };
}

t.test("the check runs before the first read and after the last, and the bytes pass whole", async (t) => {
  const calls: string[] = [];
  const { content, out, error } = await run(t, async (when) => {
    calls.push(when);
  });
  t.equal(error, null);
  t.same(calls, ["before", "after"]);
  t.ok(out.equals(content), "byte for byte");
});

t.test("a failing check after the last read keeps the last slice from the consumer", async (t) => {
  const { content, out, error } = await run(t, async (when) => {
    if (when === "after") throw new HubpushError("ERR_FILE_CHANGED", "f.bin changed", { retryable: true });
  });
  t.equal((error as HubpushError).code, "ERR_FILE_CHANGED");
  t.equal(out.length, 2 * PART_SLICE_BYTES, "every slice but the last went");
  t.ok(out.length < content.length, "the consumer never had the whole object");
});

t.test("a failing check before the first read sends nothing", async (t) => {
  const { out, error } = await run(t, async (when) => {
    if (when === "before") throw new HubpushError("ERR_FILE_CHANGED", "f.bin changed", { retryable: true });
  });
  t.equal((error as HubpushError).code, "ERR_FILE_CHANGED");
  t.equal(out.length, 0);
});
