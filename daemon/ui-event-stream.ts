import { once } from "node:events";
import type { ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import type { Journal } from "../storage/journal.js";
import type { EventFeed } from "./event-feed.js";

export interface UiStreamOptions {
  readonly journal: Journal;
  readonly feed: EventFeed;
  /** The last event id the page has seen. */
  readonly since: number;
  /** The jobs as GET /v1/jobs/list shows them (rates included), sent every `snapshotMs`. */
  readonly snapshot: () => unknown;
  readonly snapshotMs: number;
}

const BATCH = 500;

/**
 * The page's live feed, NDJSON like GET /v1/events/stream: the journal's events as they are
 * appended, and between them a `{"type":"ui.jobs","jobs":[…]}` line every few seconds with the
 * jobs' progress and rates (hashing and uploading append no events per file, so the list and the
 * chart would otherwise stand still between commits). The page never polls.
 */
export async function writeUiStream(res: ServerResponse, options: UiStreamOptions): Promise<void> {
  const { journal, feed } = options;
  const gone = new AbortController();
  res.on("close", () => gone.abort());
  res.writeHead(200, { "content-type": "application/x-ndjson; charset=utf-8" });
  res.flushHeaders();
  let cursor = options.since;
  let nextSnapshot = 0;
  const write = async (value: unknown): Promise<void> => {
    if (res.write(`${JSON.stringify(value)}\n`)) return;
    await once(res, "drain", { signal: gone.signal });
  };
  try {
    while (!gone.signal.aborted && !feed.closed) {
      const events = journal.events.read(cursor, BATCH);
      for (const event of events) {
        cursor = event.id;
        await write(event);
      }
      if (events.length === BATCH) continue;
      if (Date.now() >= nextSnapshot) {
        nextSnapshot = Date.now() + options.snapshotMs;
        await write({ type: "ui.jobs", at: Date.now(), lastId: cursor, jobs: options.snapshot() });
      }
      const waitMs = Math.max(10, nextSnapshot - Date.now());
      const timer = new AbortController();
      const onGone = () => timer.abort();
      gone.signal.addEventListener("abort", onGone, { once: true });
      await Promise.race([
        feed.wait(cursor, timer.signal),
        sleep(waitMs, undefined, { signal: timer.signal }).catch(() => {}),
      ]);
      timer.abort();
      gone.signal.removeEventListener("abort", onGone);
    }
  } catch (err) {
    if (gone.signal.aborted) return;
    throw err;
  }
  if (!gone.signal.aborted) res.end();
}
