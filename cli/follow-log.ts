import { open, stat } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";

export interface FollowLogOptions {
  /** Byte offset to start from (the end of what was already printed). */
  readonly from: number;
  readonly signal: AbortSignal;
  /** Poll interval in ms (default 250). Polling works on every filesystem, fs.watch does not. */
  readonly intervalMs?: number;
}

/**
 * Calls `onLine` for each complete line appended to `file` until `signal` aborts. A file that
 * shrinks (truncated or replaced) is read again from its start; a missing file is waited for.
 */
export async function followLog(
  file: string,
  onLine: (line: string) => void,
  options: FollowLogOptions,
): Promise<void> {
  let position = options.from;
  let pending = Buffer.alloc(0);
  while (!options.signal.aborted) {
    let size: number | null = null;
    try {
      size = (await stat(file)).size;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
    if (size !== null && size < position) {
      position = 0;
      pending = Buffer.alloc(0);
    }
    if (size !== null && size > position) {
      const handle = await open(file, "r");
      try {
        const chunk = Buffer.alloc(size - position);
        const { bytesRead } = await handle.read(chunk, 0, chunk.length, position);
        position += bytesRead;
        pending = Buffer.concat([pending, chunk.subarray(0, bytesRead)]);
      } finally {
        await handle.close();
      }
      for (let nl = pending.indexOf(10); nl !== -1; nl = pending.indexOf(10)) {
        onLine(pending.subarray(0, nl).toString("utf8"));
        pending = pending.subarray(nl + 1);
      }
    }
    try {
      await sleep(options.intervalMs ?? 250, undefined, { signal: options.signal });
    } catch {
      return;
    }
  }
}
