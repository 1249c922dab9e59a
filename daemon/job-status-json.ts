import type { JobProgress } from "../core/engine.js";
import { FILE_STATES, type FileState, type JobState, type RepoType } from "../storage/journal.js";

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
  readonly folder: string;
  readonly repo: {
    readonly id: string;
    readonly type: RepoType;
    readonly revision: string;
    readonly pathInRepo: string;
    readonly endpoint: string;
  };
  readonly state: JobState;
  readonly blocked: { readonly code: string; readonly message: string } | null;
  readonly lastError: { readonly code: string; readonly message: string; readonly at: string } | null;
  readonly files: Readonly<Record<FileState, CountJson>>;
  readonly total: CountJson;
  readonly waiting: number;
  readonly commits: number;
  readonly bytesHashed: number;
  readonly rates: { readonly uploadBytesPerSec: number; readonly hashBytesPerSec: number };
  readonly etaSeconds: number | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly finishedAt: string | null;
  readonly options: {
    readonly include: readonly string[];
    readonly exclude: readonly string[];
    readonly message: string;
    readonly private: boolean;
    readonly watch: boolean;
    readonly everyMinutes: number | null;
    readonly delete: boolean;
    /** Path of the job's token file (never its content), null when the environment provides the token. */
    readonly tokenFile: string | null;
  };
}

const iso = (ms: number): string => new Date(ms).toISOString();

function count(value: { readonly files: number; readonly bytes: number } | undefined): CountJson {
  return { files: value?.files ?? 0, bytes: value?.bytes ?? 0 };
}

/** Builds the stable JSON view of a job from the engine's progress. */
export function toJobStatusJson(progress: JobProgress): JobStatusJson {
  const { job } = progress;
  const files = Object.fromEntries(
    FILE_STATES.map((state) => [state, count(progress.byState[state])]),
  ) as Record<FileState, CountJson>;
  return {
    id: job.id,
    folder: job.folder,
    repo: {
      id: job.repoId,
      type: job.repoType,
      revision: job.revision,
      pathInRepo: job.pathInRepo,
      endpoint: job.endpoint,
    },
    state: job.state,
    blocked: job.blocked === null ? null : { code: job.blocked.code, message: job.blocked.message },
    lastError:
      job.lastError === null
        ? null
        : { code: job.lastError.code, message: job.lastError.message, at: iso(job.lastError.at) },
    files,
    total: count(progress.total),
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
    options: {
      include: [...job.options.include],
      exclude: [...job.options.exclude],
      message: job.options.message,
      private: job.options.private,
      watch: job.options.watch,
      everyMinutes: job.options.everyMinutes,
      delete: job.options.deleteRemote,
      tokenFile: job.options.tokenFile,
    },
  };
}
