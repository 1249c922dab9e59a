import type { JobProgress } from "../core/engine.js";
import type { EngineTuning } from "../core/engine-tuning.js";
import { pullRequestOf } from "../core/pull-request-of.js";
import {
  FILE_STATES,
  type FileState,
  type JobKind,
  type JobState,
  type RepoType,
} from "../storage/journal.js";
import type { WatcherStatus } from "./folder-watchers.js";
import { nextRescanAt } from "./rescan-policy.js";

export interface CountJson {
  readonly files: number;
  readonly bytes: number;
}

/**
 * A job as `status --json`, `list --json`, `upload --json` and the control API show it. This schema
 * is stable and documented in docs/control-api.md: add fields, never rename or remove them. It never
 * holds a token or a token file's content; only the token file's path.
 */
export interface JobStatusJson {
  readonly id: number;
  /** A one-file job: `folder` is the file and `repo.pathInRepo` its full path in the repo. */
  readonly folder: string;
  /** "folder", or "file" for a one-file job (`hubpush upload FILE`, `add FILE`). */
  readonly kind: JobKind;
  readonly repo: {
    readonly id: string;
    readonly type: RepoType;
    readonly revision: string;
    readonly pathInRepo: string;
    readonly endpoint: string;
    /** The name the Hub redirected the repo to (renamed or moved), used for every call; else null. */
    readonly movedTo: string | null;
  };
  readonly state: JobState;
  readonly blocked: { readonly code: string; readonly message: string } | null;
  readonly lastError: { readonly code: string; readonly message: string; readonly at: string } | null;
  readonly files: Readonly<Record<FileState, CountJson>>;
  readonly total: CountJson;
  /**
   * Regular (inline) files in `uploaded` or `committing`: their bytes leave in the commit that
   * carries them, so the progress view counts them as uploaded only once that commit succeeded.
   */
  readonly awaitingCommit: CountJson;
  readonly waiting: number;
  readonly commits: number;
  readonly bytesHashed: number;
  readonly rates: { readonly uploadBytesPerSec: number; readonly hashBytesPerSec: number };
  readonly etaSeconds: number | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly finishedAt: string | null;
  /** The first failed files (up to 20; `files.failed.files` counts all) with their errors. */
  readonly failures: ReadonlyArray<{
    readonly path: string;
    readonly code: string;
    readonly message: string;
  }>;
  /** Watch jobs only (null otherwise): how changes are found, and what is scheduled. */
  readonly watch: WatchStatusJson | null;
  /**
   * The pull request the job commits to: opened by its first commit (--create-pr; null until
   * then) or named by --revision refs/pr/N. url: `{endpoint}/{repo}/discussions/N`.
   */
  readonly pullRequest: { readonly number: number; readonly url: string } | null;
  /** --delete GLOB jobs only (null otherwise): the remote listing and the deletions it queued. */
  readonly remoteDeletions: {
    readonly patterns: readonly string[];
    readonly listed: boolean;
    readonly pending: number;
    readonly deleted: number;
  } | null;
  /** Xet figures (docs/xet.md); null when nothing went through Xet and nothing fell back to LFS. */
  readonly xet: XetStatusJson | null;
  readonly options: {
    readonly include: readonly string[];
    readonly exclude: readonly string[];
    readonly message: string;
    /** --commit-description; "" when none was given. */
    readonly commitDescription: string;
    /** "default": no `private` sent at creation, the namespace's default applied. */
    readonly visibility: "default" | "private" | "public";
    readonly spaceSdk: string | null;
    readonly watch: boolean;
    readonly everyMinutes: number | null;
    /** The old name of mirrorDeletes, kept for existing readers. */
    readonly delete: boolean;
    /** Watch mode mirrors local deletions (--mirror-deletes). */
    readonly mirrorDeletes: boolean;
    /** Path of the job's token file (never its content), null when the environment provides the token. */
    readonly tokenFile: string | null;
    /** --create-pr: the first commit opens a pull request. */
    readonly createPr: boolean;
    /** --delete GLOB patterns ([] when none). */
    readonly deletePatterns: readonly string[];
    /** --transfer: auto, xet or lfs (docs/xet.md). */
    readonly transfer: "auto" | "xet" | "lfs";
  };
}

export interface XetStatusJson {
  /** Bytes of files whose shard was registered. */
  readonly bytesChunked: number;
  /** Of those, bytes the CAS already held: not sent. */
  readonly bytesDeduplicated: number;
  /** Xorb and shard bodies sent (compressed). */
  readonly bytesSent: number;
  readonly xorbsStored: number;
  readonly files: number;
  /** bytesDeduplicated / bytesChunked (0…1); 0 before the first file. */
  readonly dedupRatio: number;
  /** Why the job (or some files) went through LFS instead, else null. */
  readonly note: string | null;
}

export interface WatchStatusJson {
  /**
   * events: a folder watcher reports changes (plus a full rescan every hour or so); polling: the
   * watcher failed (see warning), the folder is rescanned every --every minutes; starting: the
   * watcher is setting up; off: nothing watches (the job is not active in a running daemon).
   */
  readonly watcher: "events" | "polling" | "starting" | "off";
  readonly warning: string | null;
  readonly lastScanAt: string | null;
  readonly lastEventAt: string | null;
  /** Files seen and not yet committed. */
  readonly pendingFiles: number;
  /** --delete: deletions queued or in flight, and done. */
  readonly pendingDeletions: number;
  readonly deletedFiles: number;
  /** Earliest time of the next scheduled commit (null before the first commit). */
  readonly nextCommitAt: string | null;
  readonly nextRescanAt: string | null;
}

/** What the daemon adds to a watch job's status: its folder watcher, and the rescan schedule. */
export interface WatchContext {
  readonly watcher: WatcherStatus | null;
  readonly tuning: Pick<EngineTuning, "watchRescanMs">;
}

const iso = (ms: number): string => new Date(ms).toISOString();
const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

function count(value: { readonly files: number; readonly bytes: number } | undefined): CountJson {
  return { files: value?.files ?? 0, bytes: value?.bytes ?? 0 };
}

function watchJson(progress: JobProgress, context: WatchContext | undefined): WatchStatusJson | null {
  const w = progress.watch;
  if (w === null) return null;
  const watcher = context?.watcher ?? null;
  const mode = watcher?.mode ?? "off";
  return {
    watcher: mode,
    warning: watcher?.warning ?? null,
    lastScanAt: isoOrNull(w.lastScanAt),
    lastEventAt: isoOrNull(watcher?.lastEventAt ?? null),
    pendingFiles: w.pendingFiles,
    pendingDeletions: w.pendingDeletions,
    deletedFiles: w.deletedFiles,
    nextCommitAt: isoOrNull(w.nextCommitAt),
    nextRescanAt:
      context === undefined || mode === "off" || mode === "starting"
        ? null
        : isoOrNull(nextRescanAt(progress.job, mode, context.tuning)),
  };
}

function xetJson(progress: JobProgress): XetStatusJson | null {
  const x = progress.xet ?? null;
  if (x === null) return null;
  return {
    bytesChunked: x.bytesChunked,
    bytesDeduplicated: x.bytesDeduped,
    bytesSent: x.bytesSent,
    xorbsStored: x.xorbsStored,
    files: x.files,
    dedupRatio: x.bytesChunked === 0 ? 0 : Math.round((x.bytesDeduped / x.bytesChunked) * 10_000) / 10_000,
    note: x.note,
  };
}

/** Builds the stable JSON view of a job from the engine's progress. */
export function toJobStatusJson(progress: JobProgress, watch?: WatchContext): JobStatusJson {
  const { job } = progress;
  const files = Object.fromEntries(
    FILE_STATES.map((state) => [state, count(progress.byState[state])]),
  ) as Record<FileState, CountJson>;
  return {
    id: job.id,
    folder: job.folder,
    kind: job.kind,
    repo: {
      id: job.repoId,
      type: job.repoType,
      revision: job.revision,
      pathInRepo: job.pathInRepo,
      endpoint: job.endpoint,
      movedTo: job.movedRepoId,
    },
    state: job.state,
    blocked: job.blocked === null ? null : { code: job.blocked.code, message: job.blocked.message },
    lastError:
      job.lastError === null
        ? null
        : { code: job.lastError.code, message: job.lastError.message, at: iso(job.lastError.at) },
    files,
    total: count(progress.total),
    awaitingCommit: count(progress.awaitingCommit),
    waiting: progress.waiting,
    commits: job.commitsMade,
    bytesHashed: job.bytesHashed,
    rates: {
      uploadBytesPerSec: Math.round(progress.uploadRate),
      hashBytesPerSec: Math.round(progress.hashRate),
    },
    etaSeconds: progress.etaSeconds === null ? null : Math.round(progress.etaSeconds),
    createdAt: iso(job.createdAt),
    updatedAt: iso(job.updatedAt),
    finishedAt: job.finishedAt === null ? null : iso(job.finishedAt),
    failures: progress.failures.map((f) => ({ path: f.path, code: f.code, message: f.message })),
    watch: watchJson(progress, watch),
    pullRequest: pullRequestOf(job),
    remoteDeletions:
      progress.patternDeletions === undefined || progress.patternDeletions === null
        ? null
        : { ...progress.patternDeletions, patterns: [...progress.patternDeletions.patterns] },
    xet: xetJson(progress),
    options: {
      include: [...job.options.include],
      exclude: [...job.options.exclude],
      message: job.options.message,
      commitDescription: job.options.commitDescription ?? "",
      visibility: job.options.visibility,
      spaceSdk: job.options.spaceSdk,
      watch: job.options.watch,
      everyMinutes: job.options.everyMinutes,
      delete: job.options.deleteRemote,
      mirrorDeletes: job.options.deleteRemote,
      tokenFile: job.options.tokenFile,
      createPr: job.options.createPr === true,
      deletePatterns: [...(job.options.deletePatterns ?? [])],
      transfer: job.options.transfer ?? "auto",
    },
  };
}
