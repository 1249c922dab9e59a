/**
 * The event catalogue: every event type the journal's log holds, with its payload. `journal.events.append`
 * takes only these, so a type cannot be misspelled and a payload cannot drift from what clients read.
 * docs/control-api.md lists the same table; test/storage/event-catalogue.test.ts checks that it does.
 * Types are `<noun>.<past-verb>`. Clients must ignore types they do not know (older or newer daemons).
 */

interface ErrorFields {
  readonly code: string;
  readonly message: string;
}

export type EventCatalogue = {
  readonly "daemon.started": { readonly pid: number; readonly version: string };
  readonly "daemon.stopped": { readonly pid: number };
  readonly "job.added": { readonly folder: string; readonly repo: string };
  /** Paused by the user (no data), or a watch job whose folder went away (the reason). */
  readonly "job.paused": Partial<ErrorFields>;
  readonly "job.resumed": Record<string, never>;
  readonly "job.cancelled": Record<string, never>;
  readonly "job.retried": { readonly files: number };
  readonly "job.blocked": ErrorFields;
  readonly "job.done": { readonly commits: number };
  /** The Hub redirected the job's repo (renamed or moved): later calls go to `to`. */
  readonly "repo.moved": { readonly from: string; readonly to: string };
  readonly "scan.warning": { readonly path: string; readonly warning: string };
  readonly "scan.finished": {
    readonly added: number;
    readonly changed: number;
    readonly unchanged: number;
    readonly skipped: number;
    readonly vanished: number;
    readonly deletionsQueued: number;
  };
  readonly "file.skipped": { readonly path: string; readonly code: string; readonly reason: string };
  readonly "file.failed": { readonly path: string } & ErrorFields;
  readonly "commit.sent": { readonly commitId: number; readonly files: number; readonly deletions: number };
  readonly "commit.committed": {
    readonly commitId: number;
    readonly commitOid: string;
    readonly files: number;
    readonly deletions: number;
  };
  readonly "commit.failed": { readonly commitId: number } & ErrorFields;
  readonly "commit.unknown": { readonly commitId: number; readonly code: string };
  readonly "commit.reconciled": {
    readonly commitId: number;
    readonly committed: number;
    readonly requeued: number;
    readonly deleted: number;
  };
  /** --create-pr: the job's pull request, opened by its first commit or found reconciling it. */
  readonly "pr.opened": { readonly number: number; readonly url: string };
  /** --delete GLOB: the remote tree was listed; `queued` paths match and are not uploaded by the job. */
  readonly "deletions.listed": { readonly listed: number; readonly matched: number; readonly queued: number };
  readonly "xet.registered": {
    readonly path: string;
    readonly bytes: number;
    readonly bytesDeduplicated: number;
    readonly bytesSent: number;
    readonly xorbs: number;
  };
  readonly "xet.fallback": { readonly note: string };
};

export type EventType = keyof EventCatalogue;
export type EventPayload<T extends EventType> = EventCatalogue[T];

export interface EventDescription<T extends EventType> {
  /** The payload's fields, as docs/control-api.md lists them (optional ones too). */
  readonly fields: readonly (keyof EventCatalogue[T] & string)[];
  readonly meaning: string;
}

/** The catalogue at run time: what the docs table is checked against. One entry per type. */
export const EVENT_CATALOGUE: { readonly [T in EventType]: EventDescription<T> } = {
  "daemon.started": { fields: ["pid", "version"], meaning: "the daemon started (jobId null)" },
  "daemon.stopped": { fields: ["pid"], meaning: "the daemon stopped; the stream ends after it" },
  "job.added": { fields: ["folder", "repo"], meaning: "a new job" },
  "job.paused": {
    fields: ["code", "message"],
    meaning: "paused by the user (no data), or a watch job whose folder went away (the reason)",
  },
  "job.resumed": { fields: [], meaning: "active again (resume, or the folder added again)" },
  "job.cancelled": { fields: [], meaning: "cancelled by the user" },
  "job.retried": { fields: ["files"], meaning: "`hubpush retry`: how many failed files go round again" },
  "job.blocked": {
    fields: ["code", "message"],
    meaning: "stopped until the user acts (token, repo, folder)",
  },
  "job.done": { fields: ["commits"], meaning: "every file is in a terminal state" },
  "repo.moved": { fields: ["from", "to"], meaning: "the Hub redirected the repo; later calls go to `to`" },
  "scan.warning": { fields: ["path", "warning"], meaning: "the scan met something odd it went past" },
  "scan.finished": {
    fields: ["added", "changed", "unchanged", "skipped", "vanished", "deletionsQueued"],
    meaning: "a complete walk of the folder",
  },
  "file.skipped": {
    fields: ["path", "code", "reason"],
    meaning: "the scan left an entry out (at most 200 per scan)",
  },
  "file.failed": { fields: ["path", "code", "message"], meaning: "a file failed permanently" },
  "commit.sent": {
    fields: ["commitId", "files", "deletions"],
    meaning: "a batch recorded as sent, before the POST",
  },
  "commit.committed": {
    fields: ["commitId", "commitOid", "files", "deletions"],
    meaning: "the Hub answered with a commit",
  },
  "commit.failed": {
    fields: ["commitId", "code", "message"],
    meaning: "refused, nothing applied; files ready again",
  },
  "commit.unknown": {
    fields: ["commitId", "code"],
    meaning: "the answer was lost; the batch will be reconciled",
  },
  "commit.reconciled": {
    fields: ["commitId", "committed", "requeued", "deleted"],
    meaning: "a lost batch settled by asking the Hub what it holds",
  },
  "pr.opened": {
    fields: ["number", "url"],
    meaning: "`--create-pr`: the job's pull request (refs/pr/N), opened or found by reconciliation",
  },
  "deletions.listed": {
    fields: ["listed", "matched", "queued"],
    meaning: "`--delete GLOB`: remote files listed, matching, and queued for the first commit",
  },
  "xet.registered": {
    fields: ["path", "bytes", "bytesDeduplicated", "bytesSent", "xorbs"],
    meaning: "a file's Xet shard was registered: its bytes, how many the CAS already had, what was sent",
  },
  "xet.fallback": { fields: ["note"], meaning: "files of the job go through LFS instead of Xet, and why" },
};
