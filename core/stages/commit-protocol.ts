import type { CommitRecord } from "../../storage/journal.js";
import { decideFailure, type FailureDecision } from "../failure-policy.js";
import type { CommitStageDeps } from "../stage-deps.js";
import type { FileEntry } from "./build-commit.js";
import type { DeletionEntry } from "./remote-deletions.js";

/**
 * The commit protocol as named steps, one per crash window of design.md ("commit: recorded before
 * batch row sent + its files → NDJSON commit → recorded after commitOid, files committed"):
 *
 *   1. recordSent     — "recorded before": the batch and its files are written `sent` BEFORE the
 *                       POST. A crash after this step leaves a `sent` batch that the next run
 *                       reconciles with paths-info (reconcile-commit.ts); nothing is re-sent blindly.
 *   2. send           — "the effect": the NDJSON commit. Its outcome is one of four.
 *   3. recordOutcome  — "recorded after": commitOid and files committed, or the batch unknown
 *                       (to reconcile), or failed (files back to uploaded). A crash between 2 and 3
 *                       is the same as a lost answer: the batch is still `sent`, so it is reconciled.
 *
 * Building the batch (reading regular files, checking deletions against the Hub) comes before
 * step 1 and writes nothing but failures of single files.
 */

/** What one batch carries: each file or deletion together with its operation. */
export interface CommitBatch {
  readonly files: readonly FileEntry[];
  readonly deletions: readonly DeletionEntry[];
}

export type SendOutcome =
  /** The Hub answered with a commit: it landed (and, with create_pr=1, opened pull request N). */
  | {
      readonly kind: "committed";
      readonly commitOid: string;
      readonly pullRequest?: { readonly num: number; readonly url: string };
    }
  /** The answer was lost, or the call aborted mid-flight: the Hub may have applied it. */
  | { readonly kind: "unknown"; readonly failure: FailureDecision }
  /** The Hub refused the content (nothing applied): the refused file is isolated. */
  | { readonly kind: "refused"; readonly failure: FailureDecision }
  /** The call failed before anything was applied (network, 5xx, 429, token): try again later or block. */
  | { readonly kind: "retry"; readonly failure: FailureDecision };

export interface SentBatch {
  readonly commit: CommitRecord;
  readonly message: string;
  /** Only what the journal attached: files still ready, deletions still queued. */
  readonly batch: CommitBatch;
}

/**
 * Step 1 (recorded before). Writes the batch as `sent` with its files and deletions; returns what
 * was attached, or null when nothing is left to send (a rescan reset every file meanwhile).
 */
export function recordSent(ctx: CommitStageDeps, batch: CommitBatch): SentBatch | null {
  const journal = ctx.journal;
  const made = journal.jobs.get(ctx.jobId)?.commitsMade ?? 0;
  const message = made === 0 ? ctx.job.options.message : `${ctx.job.options.message} (part ${made + 1})`;
  const commit = journal.commits.create(
    ctx.jobId,
    batch.files.map((e) => e.file.id),
    message,
    batch.deletions.map((e) => e.deletion.id),
  );
  // Only files still ready were attached (a rescan may have reset some meanwhile), and only
  // deletions still queued (a path seen again is not deleted): send exactly those.
  // When every file was attached (the usual case) the batch's rows need not be read back.
  const allFiles = commit.fileCount === new Set(batch.files.map((e) => e.file.id)).size;
  const attachedFiles = allFiles ? null : new Set(journal.commits.files(commit.id).map((f) => f.id));
  const attachedDeletions =
    batch.deletions.length === 0 ? null : new Set(journal.deletions.forCommit(commit.id).map((d) => d.id));
  const attached: CommitBatch = {
    files: attachedFiles === null ? batch.files : batch.files.filter((e) => attachedFiles.has(e.file.id)),
    deletions:
      attachedDeletions === null
        ? batch.deletions
        : batch.deletions.filter((e) => attachedDeletions.has(e.deletion.id)),
  };
  if (commit.state !== "sent" || attached.files.length + attached.deletions.length === 0) return null;
  journal.events.append("commit.sent", ctx.jobId, {
    commitId: commit.id,
    files: attached.files.length,
    deletions: attached.deletions.length,
  });
  return { commit, message, batch: attached };
}

/** Step 2 (the effect). Posts the commit; never throws for a Hub failure, it says what happened. */
export async function send(ctx: CommitStageDeps, sent: SentBatch): Promise<SendOutcome> {
  const operations = [...sent.batch.files, ...sent.batch.deletions].map((e) => e.operation);
  const description = ctx.job.options.commitDescription ?? "";
  try {
    const createPr = ctx.opensPullRequest;
    const answer = await ctx.api(() =>
      ctx.hub.commit(
        ctx.repo,
        ctx.writeRevision(),
        { summary: sent.message, description, operations, ...(createPr ? { createPr } : {}) },
        ctx.signal,
      ),
    );
    return {
      kind: "committed",
      commitOid: answer.commitOid,
      ...(answer.pullRequest === undefined ? {} : { pullRequest: answer.pullRequest }),
    };
  } catch (err) {
    const failure = decideFailure(err, { commitSent: { aborted: ctx.aborted } });
    if (failure.action === "reconcile-commit") return { kind: "unknown", failure };
    if (failure.action === "fail-file") return { kind: "refused", failure };
    return { kind: "retry", failure };
  }
}

/** Step 3 (recorded after). Settles the batch in the journal as the outcome says, with its event. */
export function recordOutcome(ctx: CommitStageDeps, sent: SentBatch, outcome: SendOutcome): void {
  const journal = ctx.journal;
  const commitId = sent.commit.id;
  switch (outcome.kind) {
    case "committed": {
      const opened = outcome.pullRequest;
      // The PR number lands with the commit's answer, in one transaction: a crash right after
      // cannot leave a committed batch whose PR the journal does not know (a second PR).
      journal.transaction(() => {
        journal.commits.recordDone(commitId, outcome.commitOid);
        if (opened !== undefined) journal.jobs.recordPullRequest(ctx.jobId, opened.num);
      });
      if (opened !== undefined) {
        ctx.adoptPullRequest(opened.num);
        journal.events.append("pr.opened", ctx.jobId, { number: opened.num, url: opened.url });
        ctx.logger.info({ pullRequest: opened.num, url: opened.url }, "pull request opened");
      }
      journal.events.append("commit.committed", ctx.jobId, {
        commitId,
        commitOid: outcome.commitOid,
        files: sent.batch.files.length,
        deletions: sent.batch.deletions.length,
      });
      return;
    }
    case "unknown":
      // The Hub may have applied it: settle by looking, before anything is sent again.
      journal.commits.markUnknown(commitId, outcome.failure.info);
      journal.events.append("commit.unknown", ctx.jobId, { commitId, code: outcome.failure.info.code });
      return;
    case "refused":
    case "retry":
      journal.commits.recordFailed(commitId, outcome.failure.info);
      journal.events.append("commit.failed", ctx.jobId, { commitId, ...outcome.failure.info });
      return;
  }
}
