import { PassThrough } from "node:stream";
import t from "tap";
import { hashProgress } from "../../../cli/verify/hash-progress.js";

function stream(tty: boolean): { out: PassThrough & { isTTY?: boolean }; text: () => string } {
  const out = new PassThrough() as PassThrough & { isTTY?: boolean };
  if (tty) out.isTTY = true;
  let text = "";
  out.on("data", (chunk: Buffer) => {
    text += chunk.toString("utf8");
  });
  return { out, text: () => text };
}

t.test("on a terminal the bar is drawn in place and cleared at the end", async (t) => {
  const { out, text } = stream(true);
  const bar = hashProgress(out, "hashing");
  bar.update(512, 1024);
  bar.update(1024, 1024);
  bar.end();
  await new Promise((resolve) => setImmediate(resolve));
  t.match(text(), "hashing [###############---------------] 512 B / 1.00 KiB");
  t.match(text(), "hashing [##############################] 1.00 KiB / 1.00 KiB");
  t.ok(text().endsWith("\r\x1b[2K"), "the line is cleared");
});

t.test("off a terminal nothing is drawn", async (t) => {
  const { out, text } = stream(false);
  const bar = hashProgress(out, "hashing");
  bar.update(1, 2);
  bar.end();
  await new Promise((resolve) => setImmediate(resolve));
  t.equal(text(), "");
});
