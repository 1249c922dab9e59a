import { HubpushError, toHubpushError } from "../common/hubpush-error.js";
import { type JobInput, parseJobInput } from "../core/job-input.js";
import type { JobOptions, JobSpec } from "../storage/journal.js";
import { OptionReader } from "./check-options.js";
import { type LibraryContext, libraryContext } from "./library-context.js";
import { runLocalJob } from "./run-local-job.js";
import { optional, REPO_TYPES, type RepoTarget, SINGLE_COMMIT_TUNING } from "./upload-folder.js";
import type { UploadResult } from "./upload-result.js";

export interface CommitSchedulerOptions extends RepoTarget {
  /** The folder whose new and changed files are committed. */
  readonly folderPath: string;
  /** Folder inside the repo; default the root. */
  readonly pathInRepo?: string;
  /** Minutes between two pushes; default 5. */
  readonly every?: number;
  readonly allowPatterns?: string | readonly string[];
  readonly ignorePatterns?: string | readonly string[];
  /** Commit summary of every push; default "Scheduled commit using hubpush". */
  readonly commitMessage?: string;
  /** Called when a scheduled push fails (the next one tries again); default: ignored. */
  readonly onError?: (error: HubpushError) => void;
}

const DEFAULT_EVERY_MINUTES = 5;

/**
 * CommitScheduler: commits the folder's new and changed files every `every` minutes, in this
 * process, on the engine and journal of the CLI. Each push re-adds the folder's job, whose rescan
 * finds what changed (the rescan a watch job runs on its schedule) and commits it in one commit;
 * a push with nothing new makes no commit. A crash of the program loses no committed work: the next
 * push (or uploadFolder with the same target) resumes from the journal.
 *
 * A push holds the lock from the scan to the commit, so a writer that appends under withLock()
 * never has a half-written line committed. Subclasses may override pushToHub() (e.g. to zip files
 * and upload the archive); trigger() and the timer call it.
 */
export class CommitScheduler {
  readonly folderPath: string;
  readonly every: number;
  readonly #context: LibraryContext;
  readonly #spec: JobSpec;
  readonly #options: JobOptions;
  readonly #onError: ((error: HubpushError) => void) | undefined;
  #lock: Promise<void> = Promise.resolve();
  #pushes: Promise<unknown> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  /** The last push's result (null when it had nothing to commit). */
  lastResult: UploadResult | null = null;

  constructor(options: CommitSchedulerOptions) {
    const reader = new OptionReader("CommitScheduler", options);
    this.folderPath = reader.requiredString("folderPath");
    this.every = reader.positiveNumber("every") ?? DEFAULT_EVERY_MINUTES;
    this.#context = libraryContext(reader);
    this.#onError = reader.callback<(error: HubpushError) => void>("onError");
    const input: JobInput = {
      folder: this.folderPath,
      repo: reader.requiredString("repoId"),
      ...optional("repoType", reader.oneOf("repoType", REPO_TYPES)),
      ...optional("revision", reader.string("revision")),
      ...optional("private", reader.boolean("private")),
      ...optional("pathInRepo", reader.string("pathInRepo")),
      message: reader.string("commitMessage") ?? "Scheduled commit using hubpush",
      ...optional("include", reader.patterns("allowPatterns")),
      ...optional("exclude", reader.patterns("ignorePatterns")),
      endpoint: this.#context.endpoint,
    };
    const { spec, options: jobOptions } = parseJobInput(input, {
      endpoint: this.#context.endpoint,
      cwd: this.#context.cwd,
    });
    this.#spec = spec;
    this.#options = jobOptions;
    this.#schedule();
  }

  /**
   * Runs `fn` while no push reads the folder (and no other withLock holder runs): the seed's
   * `with scheduler.lock:`. Write to the folder inside it.
   */
  async withLock<T>(fn: () => T | Promise<T>): Promise<T> {
    const previous = this.#lock;
    let release: () => void = () => {};
    this.#lock = new Promise<void>((resolve) => {
      release = resolve;
    });
    await previous;
    try {
      return await fn();
    } finally {
      release();
    }
  }

  /** Pushes now (after a push in progress) and resolves with its result (null: nothing to commit). */
  async trigger(): Promise<UploadResult | null> {
    if (this.#stopped) throw new HubpushError("ERR_USAGE", "CommitScheduler: stopped; create a new one");
    return this.#enqueue();
  }

  /**
   * One push. The default commits the folder's new and changed files under the lock; override it to
   * push something else (call the library's upload functions from the override).
   */
  async pushToHub(): Promise<UploadResult | null> {
    return this.withLock(async () => {
      const result = await runLocalJob({
        context: this.#context,
        spec: this.#spec,
        options: this.#options,
        tuning: SINGLE_COMMIT_TUNING,
      });
      return result.commits.length === 0 ? null : result;
    });
  }

  /** Stops the schedule, then pushes what is left (flush) and resolves when that push is done. */
  async stop(): Promise<UploadResult | null> {
    if (this.#stopped) {
      await this.#pushes.catch(() => {});
      return this.lastResult;
    }
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const flushed = this.#enqueue();
    this.#stopped = true;
    return flushed;
  }

  #enqueue(): Promise<UploadResult | null> {
    const push = this.#pushes.catch(() => {}).then(() => this.pushToHub());
    this.#pushes = push;
    return push.then((result) => {
      this.lastResult = result;
      return result;
    });
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#enqueue()
        .catch((err: unknown) => this.#onError?.(toHubpushError(err)))
        .finally(() => this.#schedule());
    }, this.every * 60_000);
  }
}
