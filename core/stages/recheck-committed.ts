import { stat } from "node:fs/promises";
import type { FileRecord } from "../../storage/journal.js";
import { toFileStat } from "../hash/to-file-stat.js";
import { sameStat } from "../lfs/same-stat.js";
import type { CommitStageDeps } from "../stage-deps.js";

/**
 * A file can change between its commit-time check and the Hub's answer. Looking at the stats once
 * more after the commit closes that window for the rest of the run: a changed file goes back to
 * hashing and rides a later commit, so the job never ends with stale content on the Hub.
 */
export async function recheckCommitted(ctx: CommitStageDeps, files: readonly FileRecord[]): Promise<void> {
  let changed = 0;
  for (const file of files) {
    let now: ReturnType<typeof toFileStat>;
    try {
      now = toFileStat(await stat(ctx.localPath(file.path), { bigint: true }));
    } catch {
      continue; // deleted after its commit: what was committed was right when it was sent
    }
    if (sameStat(now, file)) continue;
    ctx.journal.stages.sendBackToHashing(file.id, null, {
      code: "ERR_FILE_CHANGED",
      message: `${file.path} changed while its commit was in flight; it will be uploaded again`,
    });
    changed++;
  }
  if (changed > 0) ctx.wake.hash.notify();
}
