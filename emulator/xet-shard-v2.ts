import type { RequestContext } from "./emulator-state.js";
import { HubError } from "./hub-error.js";

/** How often the last frame is re-sent while registration runs ([SPEC]: about every 20 s). */
export const SHARD_HEARTBEAT_MS = 20_000;

/**
 * The `/v2/shards` answer (xet-protocol.md §6): 200 `application/x-ndjson` with
 * `{"type":"validating","verified":k,"total":n}` (the checks already passed, so k = n),
 * `{"type":"committing","stage":"uploading"}`, `{"type":"committing","stage":"syncing"}`, then
 * `{"type":"result","result":1|0}`. A failure once the stream has started (registration rebuilds each
 * file's bytes for the LFS bridge and checks their SHA-256) can only be an
 * `{"type":"error","message","retryable"}` frame; the last frame is re-sent as a heartbeat meanwhile.
 */
export async function streamShardResult(
  ctx: RequestContext,
  files: number,
  register: () => Promise<0 | 1>,
  heartbeatMs = SHARD_HEARTBEAT_MS,
): Promise<void> {
  ctx.res.writeHead(200, { "Content-Type": "application/x-ndjson", "Cache-Control": "no-store" });
  let last = "";
  const frame = (value: Record<string, unknown>): void => {
    last = `${JSON.stringify(value)}\n`;
    ctx.res.write(last);
  };
  frame({ type: "validating", verified: files, total: files });
  frame({ type: "committing", stage: "uploading" });
  const heartbeat = setInterval(() => ctx.res.write(last), heartbeatMs);
  try {
    const result = await register();
    frame({ type: "committing", stage: "syncing" });
    frame({ type: "result", result });
  } catch (err) {
    const status = err instanceof HubError ? err.status : 500;
    const message = err instanceof Error ? err.message : String(err);
    frame({ type: "error", message, retryable: status >= 500 || status === 429 });
  } finally {
    clearInterval(heartbeat);
  }
  ctx.res.end();
}
