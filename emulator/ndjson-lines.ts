import { HubError } from "./hub-error.js";

const NEWLINE = 0x0a;

/**
 * Splits a byte stream into lines without ever holding the whole body: a commit body can be
 * hundreds of MB. A line longer than `maxLine` bytes is refused with 413.
 */
export async function* ndjsonLines(
  source: AsyncIterable<Buffer>,
  maxLine: number,
  onBytes: (n: number) => void,
): AsyncGenerator<string> {
  let pending: Buffer[] = [];
  let pendingLength = 0;
  for await (const chunk of source) {
    onBytes(chunk.length);
    let start = 0;
    for (;;) {
      const end = chunk.indexOf(NEWLINE, start);
      if (end === -1) break;
      const piece = chunk.subarray(start, end);
      const line = pendingLength > 0 ? Buffer.concat([...pending, piece]) : piece;
      pending = [];
      pendingLength = 0;
      yield line.toString("utf8");
      start = end + 1;
    }
    if (start < chunk.length) {
      pending.push(chunk.subarray(start));
      pendingLength += chunk.length - start;
      if (pendingLength > maxLine) {
        throw new HubError(413, "PayloadTooLarge", `A commit line is longer than ${maxLine} bytes.`);
      }
    }
  }
  if (pendingLength > 0) yield Buffer.concat(pending).toString("utf8");
}
