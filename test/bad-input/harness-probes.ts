import { setTimeout as sleep } from "node:timers/promises";
import type { Harness } from "../helpers/engine-harness.js";
import { WRITE_TOKEN } from "../helpers/engine-harness.js";
import { listRemoteFiles } from "../helpers/remote-repo.js";

/** Polls `check` every 25 ms until it holds; throws naming `what` after 60 s. */
export async function until(what: string, check: () => boolean): Promise<void> {
  const giveUpAt = Date.now() + 60_000;
  while (!check()) {
    if (Date.now() > giveUpAt) throw new Error(`gave up waiting for ${what}`);
    await sleep(25);
  }
}

/** Paths committed to `repo` on the harness's emulator (without the Hub's .gitattributes), sorted. */
export async function committedPaths(h: Harness, repo: string): Promise<string[]> {
  const files = await listRemoteFiles({ endpoint: h.emulator.url, id: repo, token: WRITE_TOKEN });
  return [...files.keys()].filter((p) => p !== ".gitattributes").sort();
}

/** The file states of a job, path → state. */
export function statesOf(h: Harness, jobId: number): Record<string, string> {
  return Object.fromEntries(h.journal.files.list(jobId).map((f) => [f.path, f.state]));
}

/** `file.skipped` events of a job: path → { code, reason }. */
export function skippedEvents(h: Harness, jobId: number): Map<string, { code: string; reason: string }> {
  const out = new Map<string, { code: string; reason: string }>();
  for (const e of h.journal.events.read(0, 10_000)) {
    if (e.type !== "file.skipped" || e.jobId !== jobId) continue;
    const data = e.data as { path: string; code: string; reason: string };
    out.set(data.path, { code: data.code, reason: data.reason });
  }
  return out;
}
