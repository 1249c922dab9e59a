import { once } from "node:events";
import type { ServerResponse } from "node:http";
import type { Journal } from "../storage/journal.js";
import type { EventFeed } from "./event-feed.js";

export interface EventStreamOptions {
  readonly journal: Journal;
  readonly feed: EventFeed;
  /** The last id the client has seen; 0 = from the oldest kept event. */
  readonly since: number;
  /** Only this job's events (ids then skip the other jobs' events). */
  readonly jobId: number | null;
}

const BATCH = 500;

/**
 * GET /v1/events/stream: the journal's events after `since` as NDJSON, then new ones as they are
 * appended, until the client goes away or the daemon stops (the feed closes and the body ends).
 * Writes wait for 'drain', so a slow reader holds back only its own stream.
 */
export async function writeEventStream(res: ServerResponse, options: EventStreamOptions): Promise<void> {
  const { journal, feed, jobId } = options;
  const gone = new AbortController();
  res.on("close", () => gone.abort());
  res.writeHead(200, { "content-type": "application/x-ndjson; charset=utf-8", "cache-control": "no-store" });
  res.flushHeaders();
  let cursor = options.since;
  // After the feed closes, one more pass delivers the last events (e.g. daemon.stopped) before the end.
  while (!gone.signal.aborted) {
    const events = journal.events.read(cursor, BATCH);
    for (const event of events) {
      cursor = event.id;
      if (jobId !== null && event.jobId !== jobId) continue;
      if (!res.write(`${JSON.stringify(event)}\n`)) {
        try {
          await once(res, "drain", { signal: gone.signal });
        } catch (err) {
          if (gone.signal.aborted) return;
          throw err;
        }
      }
    }
    if (events.length === BATCH) continue;
    if (feed.closed) break;
    await feed.wait(cursor, gone.signal);
  }
  if (!gone.signal.aborted) res.end();
}
