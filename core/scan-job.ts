import { HubpushError } from "../common/hubpush-error.js";
import type { ScannedFile } from "../storage/journal.js";
import type { ScanEntry } from "./scan/scan-entry.js";
import { scanFile } from "./scan/scan-file.js";
import { checkFolder, scanFolderChunks } from "./scan/scan-folder.js";
import type { ScanDeps } from "./stage-deps.js";

/** Skipped entries reported as events per scan; the rest only counted (a folder of a million FIFOs…). */
const MAX_SKIP_EVENTS = 200;

/**
 * Walks the job's folder (a one-file job: its file, scan/scan-file.ts) into the journal in batches: new and changed files go to hashing while the
 * walk continues. Only a complete walk marks unseen files as vanished, so a folder that disappears
 * mid-scan (unmounted disk) never turns into mass "deletions". The runner tracks the scan in
 * flight (pipeline-state.ts) and wakes the committer when it ends.
 */
export async function scanJob(ctx: ScanDeps, excludeAbsolute: readonly string[]): Promise<void> {
  const { journal, tuning } = ctx;
  const isFile = ctx.job.kind === "file";
  if (!isFile) await checkFolder(ctx.job.folder);
  const generation = journal.scan.begin(ctx.jobId);
  let batch: ScannedFile[] = [];
  const totals = { added: 0, changed: 0, unchanged: 0, skipped: 0 };
  const flush = (): void => {
    if (batch.length === 0) return;
    const r = journal.scan.upsertFiles(ctx.jobId, generation, batch);
    totals.added += r.added;
    totals.changed += r.changed;
    totals.unchanged += r.unchanged;
    batch = [];
    if (r.added + r.changed > 0) ctx.wake.hash.notify();
  };
  // The folder walk hands over chunks (one promise each, not one per entry: scanFolderChunks).
  const chunks: AsyncIterable<ScanEntry[]> = isFile
    ? oneChunkEach(scanFile(ctx.job.folder, { excludeAbsolute }))
    : scanFolderChunks(ctx.job.folder, {
        include: ctx.job.options.include,
        exclude: ctx.job.options.exclude,
        excludeAbsolute,
        signal: ctx.haltSignal,
      });
  for await (const chunk of chunks) {
    for (const entry of chunk) {
      if (entry.kind === "file") {
        batch.push(entry.file);
        if (batch.length >= tuning.scanBatch) flush();
        continue;
      }
      if (entry.kind === "warning") {
        journal.events.append("scan.warning", ctx.jobId, { path: entry.path, warning: entry.message });
        ctx.logger.warn({ path: entry.path, warning: entry.message }, "scan warning");
        continue;
      }
      totals.skipped += 1;
      if (totals.skipped <= MAX_SKIP_EVENTS) {
        journal.events.append("file.skipped", ctx.jobId, {
          path: entry.path,
          code: entry.code,
          reason: entry.reason,
        });
        ctx.logger.warn({ path: entry.path, code: entry.code, reason: entry.reason }, "file skipped by scan");
      }
    }
  }
  flush();
  if (ctx.halted) return;
  const mirrorDeletions = ctx.job.options.deleteRemote;
  if (mirrorDeletions) refuseEmptiedFolder(ctx, totals.added + totals.changed + totals.unchanged);
  const { vanished, deletionsQueued } = journal.scan.finish(ctx.jobId, generation, { mirrorDeletions });
  journal.events.append("scan.finished", ctx.jobId, { ...totals, vanished, deletionsQueued });
  ctx.logger.info({ ...totals, vanished, deletionsQueued }, "scan finished");
  if (deletionsQueued > 0) ctx.wake.commit.notify();
}

async function* oneChunkEach(entries: AsyncIterable<ScanEntry>): AsyncGenerator<ScanEntry[]> {
  for await (const entry of entries) yield [entry];
}

/**
 * With --delete, a folder that comes back empty while the Hub holds files from it is far more
 * likely an unmounted disk or a failed mount than a user deleting everything: mirroring that would
 * wipe the repo. The job stops instead, and nothing is queued for deletion.
 */
function refuseEmptiedFolder(ctx: ScanDeps, seen: number): void {
  if (seen > 0) return;
  const counts = ctx.journal.jobs.counts(ctx.jobId).byState;
  const onHub = counts.committed.files + counts.skipped.files;
  if (onHub === 0) return;
  throw new HubpushError(
    "ERR_FOLDER_EMPTIED",
    `${ctx.job.folder} is empty, but ${onHub} files were uploaded from it: if its disk is unmounted, mount it again and run \`hubpush resume ${ctx.jobId}\`. Nothing was deleted from the repo. To really empty the repo, delete the files on the Hub and add the folder again without --delete.`,
  );
}
