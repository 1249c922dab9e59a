import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import t from "tap";
import { HubpushError } from "../../../common/hubpush-error.js";
import { VerifyingStream } from "../../../core/lfs/verifying-stream.js";

const sha = (b: Buffer): string => createHash("sha256").update(b).digest("hex");

async function drain(
  content: Buffer[],
  expected: Buffer,
): Promise<{ out: Buffer; error: unknown; stream: VerifyingStream }> {
  let counted = 0;
  const stream = new VerifyingStream({
    expectedSha256: sha(expected),
    expectedSize: expected.length,
    displayPath: "w.bin",
    throttle: async () => {},
    onBytes: (n) => {
      counted += n;
    },
  });
  const chunks: Buffer[] = [];
  let error: unknown = null;
  try {
    for await (const c of Readable.from(content).pipe(stream)) chunks.push(c as Buffer);
  } catch (err) {
    error = err;
  }
  const out = Buffer.concat(chunks);
  t.ok(counted >= out.length, "onBytes counts at least what the reader saw");
  return { out, error, stream };
}

t.test("matching content passes through whole", async (t) => {
  const data = Buffer.from("a".repeat(5000));
  const { out, error } = await drain([data.subarray(0, 2000), data.subarray(2000)], data);
  t.equal(error, null);
  t.ok(out.equals(data));
});

t.test("changed content fails before the last chunk is released", async (t) => {
  const expected = Buffer.from("a".repeat(5000));
  const actual = Buffer.from(`${"a".repeat(4999)}b`);
  const { out, error, stream } = await drain([actual.subarray(0, 2000), actual.subarray(2000)], expected);
  t.ok(error instanceof HubpushError);
  t.equal((error as HubpushError).code, "ERR_FILE_CHANGED");
  t.equal(stream.failure?.code, "ERR_FILE_CHANGED", "the failure is kept for the caller");
  t.ok(out.length < actual.length, "the receiver never got the complete (stale) object");
});

t.test("a file that grew or shrank fails", async (t) => {
  const expected = Buffer.from("abc");
  t.equal(((await drain([Buffer.from("abcd")], expected)).error as HubpushError).code, "ERR_FILE_CHANGED");
  t.equal(((await drain([Buffer.from("ab")], expected)).error as HubpushError).code, "ERR_FILE_CHANGED");
});
