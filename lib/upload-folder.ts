import type { EngineTuning } from "../core/engine-tuning.js";
import { type JobInput, parseJobInput } from "../core/job-input.js";
import type { JobStatusJson } from "../daemon/job-status-json.js";
import type { RepoType } from "../storage/journal.js";
import { OptionReader } from "./check-options.js";
import { type HubOptions, libraryContext } from "./library-context.js";
import { runLocalJob } from "./run-local-job.js";
import type { UploadResult } from "./upload-result.js";

export const REPO_TYPES: readonly RepoType[] = ["model", "dataset", "space"];
const TRANSFERS = ["auto", "xet", "lfs"] as const;

/** The repo an upload goes to (huggingface_hub's names). */
export interface RepoTarget extends HubOptions {
  /** namespace/name, e.g. alice/my-model. The repo is created when it does not exist. */
  readonly repoId: string;
  /** Default "model". */
  readonly repoType?: RepoType;
  /** Branch to commit to; default "main" (created from main when missing). */
  readonly revision?: string;
  /** true: a new repo is private; false: public; absent: the namespace's default. */
  readonly private?: boolean;
  /**
   * Open ONE pull request with the first commit; every later commit of the upload (and of a call
   * that resumes it) goes to that PR. The result's pullRequest names it. Not with a refs/pr/N revision.
   */
  readonly createPr?: boolean;
  /** "auto" (default: Xet when the Hub offers it, else LFS), "xet" or "lfs" (docs/xet.md). */
  readonly transfer?: "auto" | "xet" | "lfs";
}

/** Options of a long call: cancel it, and follow it. */
export interface LongCallOptions {
  /** Aborting stops the call (it rejects with ERR_INTERRUPTED); the next call with the same options resumes. */
  readonly signal?: AbortSignal;
  /** Called about twice a second, and once at the end, with the job's status (docs/control-api.md#jobstatusjson). */
  readonly onProgress?: (status: JobStatusJson) => void;
}

export interface UploadFolderOptions extends RepoTarget, LongCallOptions {
  /** The local folder to upload. */
  readonly folderPath: string;
  /** Folder inside the repo the files go to; default the root. */
  readonly pathInRepo?: string;
  /** Commit summary; default "Upload folder using hubpush" (" (part k)" is added from the 2nd commit on). */
  readonly commitMessage?: string;
  /** Commit description; default none. */
  readonly commitDescription?: string;
  /** Only files matching one of these globs are uploaded; default all. */
  readonly allowPatterns?: string | readonly string[];
  /** Files matching one of these globs are left out; default none (.git/ and .gitignore'd files always are). */
  readonly ignorePatterns?: string | readonly string[];
  /**
   * Remote files under pathInRepo matching these (relative to pathInRepo, as allowPatterns) are
   * deleted in the first commit, except the files this upload sends.
   */
  readonly deletePatterns?: string | readonly string[];
}

/**
 * Batching for upload_folder's promise: everything in ONE commit, sent once the whole folder is
 * hashed, planned and its LFS objects stored. A folder only splits beyond what one commit can carry:
 * more than SINGLE_COMMIT_MAX_FILES files (huggingface_hub's documented 25k) or more than the
 * engine's inline-bytes cap of small regular files (64 MiB, which bounds the memory of one commit).
 */
export const SINGLE_COMMIT_MAX_FILES = 25_000;
export const SINGLE_COMMIT_TUNING: Partial<EngineTuning> = Object.freeze({
  commitSizes: Object.freeze([SINGLE_COMMIT_MAX_FILES]),
  initialCommitSizeIndex: 0,
  flushIntervalMs: 365 * 24 * 3600_000,
});

/**
 * upload_folder: one commit with the whole folder (when it fits in one; see SINGLE_COMMIT_MAX_FILES),
 * on the CLI's engine and journal, so a call after a crash or an abort resumes where it stopped.
 */
export async function uploadFolder(options: UploadFolderOptions): Promise<UploadResult> {
  return uploadWith("uploadFolder", options, SINGLE_COMMIT_TUNING);
}

/**
 * upload_large_folder: many commits of adaptive size (the engine's default batching, as
 * `hubpush upload`), each committed as soon as its batch is ready; resumable at every step.
 */
export async function uploadLargeFolder(options: UploadFolderOptions): Promise<UploadResult> {
  return uploadWith("uploadLargeFolder", options, undefined);
}

async function uploadWith(
  fn: string,
  raw: UploadFolderOptions,
  tuning: Partial<EngineTuning> | undefined,
): Promise<UploadResult> {
  const reader = new OptionReader(fn, raw);
  const folder = reader.requiredString("folderPath");
  const { input, context, signal, onProgress } = readTarget(reader, folder);
  const { spec, options } = parseJobInput(
    {
      ...input,
      ...optional("pathInRepo", reader.string("pathInRepo")),
      ...optional("message", reader.string("commitMessage")),
      ...optional("commitDescription", reader.string("commitDescription")),
      ...optional("include", reader.patterns("allowPatterns")),
      ...optional("exclude", reader.patterns("ignorePatterns")),
      ...optional("deletePatterns", reader.patterns("deletePatterns")),
    } satisfies JobInput,
    { endpoint: context.endpoint, cwd: context.cwd },
  );
  return runLocalJob({ context, spec, options, tuning, signal, onProgress });
}

/** The options every folder or file upload shares, checked; refuses what this build cannot do. */
export function readTarget(reader: OptionReader, folder: string) {
  const context = libraryContext(reader);
  const input: JobInput = {
    folder,
    repo: reader.requiredString("repoId"),
    ...optional("repoType", reader.oneOf("repoType", REPO_TYPES)),
    ...optional("revision", reader.string("revision")),
    ...optional("private", reader.boolean("private")),
    ...optional("createPr", reader.boolean("createPr")),
    ...optional("transfer", reader.oneOf("transfer", TRANSFERS)),
    endpoint: context.endpoint,
  };
  return {
    input,
    context,
    signal: reader.signal("signal"),
    onProgress: reader.callback<(status: JobStatusJson) => void>("onProgress"),
  };
}

export function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
