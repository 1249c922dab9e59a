import { HubpushError } from "../../common/hubpush-error.js";
import type { FileStat, JobRecord } from "../../storage/journal.js";
import type { EngineTuning } from "../engine-tuning.js";

/**
 * How far before its job began a file's last change (ctime) must lie for the stat guard alone to
 * vouch for it. A file's timestamps come from the kernel's coarse clock (one tick: 1–10 ms on
 * Linux; seconds on some network and FAT file systems, and a file server's clock may be off): a
 * write that lands in the same tick as the change the hash stage saw leaves ctime where it was.
 * A hash always runs after its job was created, so a ctime this far before that is a tick that had
 * ended before the hash read the file: any later write moves ctime, and the guard sees it.
 */
export const RACY_MARGIN_MS = 2_000;

/**
 * Whether an LFS file's bytes are hashed again while they are sent (issue 16 item 6). By default
 * they are not: the stat guard (same-stat.ts, an fstat of the open descriptor before and after each
 * part is read) catches any write after the hash. The re-hash is kept where the guard cannot
 * vouch: a "racy" file, changed too close to its job's start (RACY_MARGIN_MS), and every file
 * when the `rehashOnSend` knob is 1.
 */
export function rehashOnSend(
  file: Pick<FileStat, "ctimeNs">,
  job: Pick<JobRecord, "createdAt">,
  tuning: Pick<EngineTuning, "rehashOnSend">,
): boolean {
  if (tuning.rehashOnSend >= 1) return true;
  let ctimeMs: number;
  try {
    ctimeMs = Number(BigInt(file.ctimeNs) / 1_000_000n);
  } catch {
    return true; // not a number: nothing to vouch with
  }
  return ctimeMs > job.createdAt - RACY_MARGIN_MS;
}

/** The content read for a re-hash is not the content that was hashed (a write the stat guard missed). */
export function contentChanged(displayPath: string): HubpushError {
  return new HubpushError(
    "ERR_FILE_CHANGED",
    `${displayPath} changed after it was hashed (its content no longer matches its hash); the upload was aborted and the file will be hashed again`,
    { retryable: true },
  );
}
