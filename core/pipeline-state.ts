/**
 * What the runner knows about its job's pipeline, as read-only queries for the stages. Only the
 * runner writes it (job-runner.ts): the scan and the commits in flight are the runner's to track,
 * so no stage sets a flag that another stage reads.
 */
export interface PipelineView {
  /** A scan of the folder is running: "nothing upstream" does not mean the end yet. */
  readonly scanning: boolean;
  /** A commit (with its follow-up checks) is in flight: the job is not finished before it settles. */
  readonly committing: boolean;
  /** A scan of this run ended (the folder was walked once since the runner started). */
  readonly scannedOnce: boolean;
}

/** The runner's side: counts of scans and commits in flight. */
export class PipelineState implements PipelineView {
  #scans = 0;
  #commits = 0;
  #scansEnded = 0;

  get scannedOnce(): boolean {
    return this.#scansEnded > 0;
  }

  get scanning(): boolean {
    return this.#scans > 0;
  }

  get committing(): boolean {
    return this.#commits > 0;
  }

  /** Runs a scan, counted as in flight until it settles. */
  async scan<T>(run: () => Promise<T>): Promise<T> {
    this.#scans += 1;
    try {
      return await run();
    } finally {
      this.#scans -= 1;
      this.#scansEnded += 1;
    }
  }

  /** Runs a commit, counted as in flight until it settles. */
  async commit<T>(run: () => Promise<T>): Promise<T> {
    this.#commits += 1;
    try {
      return await run();
    } finally {
      this.#commits -= 1;
    }
  }
}

/** How the commit stage reports a commit in flight to its runner. */
export type CommitTracker = <T>(run: () => Promise<T>) => Promise<T>;
