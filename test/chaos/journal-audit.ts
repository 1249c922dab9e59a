import Database from "better-sqlite3";
import { openJournal } from "../../storage/sqlite-journal.js";
import { type Check, noneOf } from "./check.js";
import type { VersionBook } from "./version-book.js";

export interface JournalVerdict {
  readonly checks: Check[];
  /** commitOids of the batches the Hub answered. */
  readonly answeredOids: string[];
  /** Batches settled by reconciliation (their answer was lost to a fault or a kill). */
  readonly reconciled: number;
  readonly batches: Readonly<Record<string, number>>;
  readonly hashing: {
    /** The job's bytesHashed: bytes of every hash result recorded. */
    readonly bytesHashed: number;
    /** Bytes of the folder as it ends. */
    readonly folderBytes: number;
    /** Hash results recorded for files that were never modified, beyond one each (must be 0). */
    readonly rehashedUnmodified: number;
    /** Hash results of modified files, and the versions they had. */
    readonly modifiedHashes: number;
    readonly modifiedVersions: number;
  };
}

/**
 * The journal after the last daemon stopped: PRAGMA integrity_check on a read-only connection,
 * then, through the Journal API, every file committed and hashed once per version it had.
 * hashCount counts hash results recorded; a hash cut short by a SIGKILL before its result was
 * written leaves no trace there (that work is the "work in flight" a crash may cost).
 */
export function auditJournal(journalPath: string, jobId: number, book: VersionBook): JournalVerdict {
  const checks: Check[] = [];
  const ro = new Database(journalPath, { readonly: true, fileMustExist: true });
  let integrity: string[];
  try {
    integrity = (ro.pragma("integrity_check") as Array<{ integrity_check: string }>).map(
      (r) => r.integrity_check,
    );
  } finally {
    ro.close();
  }
  checks.push({
    name: "PRAGMA integrity_check of the journal is ok",
    ok: integrity.length === 1 && integrity[0] === "ok",
    detail: integrity.slice(0, 5).join("; "),
  });

  const journal = openJournal(journalPath);
  try {
    const files = journal.files.list(jobId);
    const byPath = new Map(files.map((f) => [f.path, f]));
    // Skipped (the Hub already holds this content) is right only for a file whose last version
    // repeats an earlier one, e.g. a file emptied twice.
    checks.push(
      noneOf(
        "every file of the folder is committed in the journal (or skipped as already on the Hub)",
        book.paths().flatMap((rel) => {
          const f = byPath.get(rel);
          if (f === undefined) return [`${rel}: not journaled`];
          if (f.state === "committed" || (f.state === "skipped" && book.latestRepeatsEarlier(rel))) return [];
          return [`${rel}: ${f.state} ${f.lastError?.code ?? ""}`];
        }),
      ),
    );
    const unmodified = files.filter((f) => book.versionCount(f.path) === 1);
    checks.push(
      noneOf(
        "no unmodified file was hashed twice",
        unmodified.filter((f) => f.hashCount !== 1).map((f) => `${f.path}: ${f.hashCount}×`),
        `${unmodified.length} files hashed once each`,
      ),
    );
    const modified = files.filter((f) => book.versionCount(f.path) > 1);
    // Each version is hashed at most once; an in-place rewrite can additionally be read mid-write
    // (a torn read with a stable stat), which the upload or commit check sends back to hashing.
    checks.push(
      noneOf(
        "modified files were hashed at most once per version (+1 per in-place rewrite)",
        modified
          .filter((f) => f.hashCount > book.versionCount(f.path) + book.inPlaceRewrites(f.path))
          .map(
            (f) =>
              `${f.path}: ${f.hashCount}× for ${book.versionCount(f.path)} versions, ${book.inPlaceRewrites(f.path)} in place`,
          ),
      ),
    );
    const job = journal.jobs.get(jobId);
    const commits = journal.commits.list(jobId);
    const batches: Record<string, number> = {};
    for (const c of commits) batches[c.state] = (batches[c.state] ?? 0) + 1;
    return {
      checks,
      answeredOids: commits.flatMap((c) => (c.state === "committed" && c.commitOid ? [c.commitOid] : [])),
      reconciled: batches.reconciled ?? 0,
      batches,
      hashing: {
        bytesHashed: job?.bytesHashed ?? 0,
        folderBytes: book.paths().reduce((sum, rel) => sum + (book.latest(rel)?.size ?? 0), 0),
        rehashedUnmodified: unmodified.reduce((sum, f) => sum + Math.max(0, f.hashCount - 1), 0),
        modifiedHashes: modified.reduce((sum, f) => sum + f.hashCount, 0),
        modifiedVersions: modified.reduce((sum, f) => sum + book.versionCount(f.path), 0),
      },
    };
  } finally {
    journal.close();
  }
}
