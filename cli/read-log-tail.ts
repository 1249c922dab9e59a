import { open } from "node:fs/promises";

const CHUNK = 64 * 1024;

function countNewlines(buffer: Buffer): number {
  let n = 0;
  for (let i = buffer.indexOf(10); i !== -1; i = buffer.indexOf(10, i + 1)) n += 1;
  return n;
}

/**
 * The last `lines` complete lines of a file and the byte offset just after them, read backwards in
 * chunks so a large log is never loaded whole. null when the file does not exist.
 */
export async function readLogTail(
  file: string,
  lines: number,
): Promise<{ lines: string[]; end: number } | null> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, "r");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
  try {
    const { size } = await handle.stat();
    let start = size;
    let newlines = 0;
    const chunks: Buffer[] = [];
    // One newline more than wanted lines: the line before it may be cut by the chunk boundary.
    while (start > 0 && newlines <= lines) {
      const from = Math.max(0, start - CHUNK);
      const chunk = Buffer.alloc(start - from);
      await handle.read(chunk, 0, chunk.length, from);
      chunks.unshift(chunk);
      newlines += countNewlines(chunk);
      start = from;
    }
    // Decode once, after joining, so a character split across chunks stays whole.
    const buffer = Buffer.concat(chunks);
    // A record still being written has no newline yet: leave it for the follower.
    const complete = buffer.lastIndexOf(10);
    const all = complete === -1 ? [] : buffer.subarray(0, complete).toString("utf8").split("\n");
    if (start > 0) all.shift();
    return { lines: all.slice(Math.max(0, all.length - lines)), end: start + complete + 1 };
  } finally {
    await handle.close();
  }
}
