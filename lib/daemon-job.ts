import { HubpushError } from "../common/hubpush-error.js";
import type { JobInput } from "../core/job-input.js";
import type { ControlClient } from "../daemon/control-client.js";
import type { JobStatusJson } from "../daemon/job-status-json.js";
import type { EventRecord, RepoType } from "../storage/journal.js";
import { type CommitInfo, commitUrl } from "./upload-result.js";

/** What `job.done` resolves with. */
export interface DaemonJobResult {
  readonly jobId: number;
  /** Commits the job made since it was added by this client, oldest first. */
  readonly commits: readonly CommitInfo[];
  /** The job's status when it settled (counts by state, bytes, errors). */
  readonly status: JobStatusJson;
}

/** An event of the daemon's journal (docs/control-api.md#events), e.g. commit.committed. */
export type JobEvent = EventRecord;

const SETTLED = new Set(["done", "blocked", "cancelled"]);
const POLL_MS = 250;

/**
 * A job handed to the daemon (run_as_future). It waits for the jobs added before it by the same
 * client, is then added to the daemon, and `done` settles when the daemon says it is done (rejects
 * when blocked, cancelled or done with failed files). The daemon keeps running it if this program
 * ends: the journal has it.
 */
export class DaemonJob {
  readonly #client: ControlClient;
  readonly #input: JobInput;
  readonly #started: Promise<number>;
  readonly done: Promise<DaemonJobResult>;
  #id: number | undefined;
  #since = 0;
  #cancelledBeforeStart = false;
  #paused = false;
  #start: (value: number) => void = () => {};
  #refuse: (err: unknown) => void = () => {};

  /** @internal Built by DaemonConnection.add. */
  constructor(client: ControlClient, input: JobInput, previous: Promise<unknown>, closed: () => boolean) {
    this.#client = client;
    this.#input = input;
    this.#started = new Promise<number>((resolve, reject) => {
      this.#start = resolve;
      this.#refuse = reject;
    });
    this.done = previous.then(() => this.#run(closed));
    // A caller may never look at `done` (fire and forget): its rejection must not crash the program.
    this.done.catch(() => {});
    this.#started.catch(() => {});
  }

  /** The daemon's job id, once the job was added (undefined while it waits for earlier jobs). */
  get id(): number | undefined {
    return this.#id;
  }

  /** Resolves with the daemon's job id once the job is added. */
  started(): Promise<number> {
    return this.#started;
  }

  async #run(closed: () => boolean): Promise<DaemonJobResult> {
    if (this.#cancelledBeforeStart) {
      const err = new HubpushError("ERR_JOB_STATE", "the job was cancelled before it started");
      this.#refuse(err);
      throw err;
    }
    try {
      this.#since = (
        await this.#client.request<{ lastId: number }>("GET", "/v1/events/list?since=0&limit=1")
      ).lastId;
      const { job } = await this.#client.request<{ job: JobStatusJson }>("POST", "/v1/jobs/add", this.#input);
      this.#id = job.id;
      if (this.#paused) await this.#client.request("POST", "/v1/jobs/pause", { id: job.id });
      this.#start(job.id);
    } catch (err) {
      this.#refuse(err);
      throw err;
    }
    for (;;) {
      if (closed())
        throw new HubpushError(
          "ERR_INTERRUPTED",
          "the connection to the daemon was closed; the job goes on there",
        );
      const status = await this.status();
      if (status !== null && SETTLED.has(status.state)) return this.#settle(status);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  async #settle(status: JobStatusJson): Promise<DaemonJobResult> {
    const commits: CommitInfo[] = [];
    for await (const e of this.#eventsSince(this.#since)) {
      if (e.type === "commit.committed" && typeof e.data.commitOid === "string") {
        commits.push({
          oid: e.data.commitOid,
          url: commitUrl(
            status.repo.endpoint,
            status.repo.type as RepoType,
            status.repo.movedTo ?? status.repo.id,
            e.data.commitOid,
          ),
        });
      }
    }
    const result = { jobId: status.id, commits, status };
    if (status.blocked !== null) {
      throw new HubpushError(
        "ERR_JOB_BLOCKED",
        `job ${status.id} is blocked: ${status.blocked.message} (${status.blocked.code}); fix that, then job.retry()`,
        { details: { ...result, blockedCode: status.blocked.code } },
      );
    }
    if (status.state === "cancelled")
      throw new HubpushError("ERR_JOB_STATE", `job ${status.id} was cancelled`, { details: result });
    if (status.files.failed.files > 0) {
      throw new HubpushError(
        "ERR_JOB_FAILED",
        `job ${status.id}: ${status.files.failed.files} file(s) could not be uploaded`,
        {
          details: result,
        },
      );
    }
    return result;
  }

  /** Events of this job recorded so far after `since` (the event list, page by page). */
  async *#eventsSince(since: number): AsyncGenerator<JobEvent> {
    let cursor = since;
    for (;;) {
      const page = await this.#client.request<{ events: JobEvent[]; lastId: number }>(
        "GET",
        `/v1/events/list?since=${cursor}&limit=1000`,
      );
      for (const e of page.events) if (e.jobId === this.#id) yield e;
      const last = page.events.at(-1);
      if (last === undefined || page.events.length < 1000) return;
      cursor = last.id;
    }
  }

  /**
   * The job's events as they happen, from its addition until it settles (job.done, job.blocked or
   * job.cancelled end the iteration).
   */
  async *events(): AsyncGenerator<JobEvent> {
    await this.#started;
    let cursor = this.#since;
    for (;;) {
      const page = await this.#client.request<{ events: JobEvent[] }>(
        "GET",
        `/v1/events/list?since=${cursor}&limit=1000`,
      );
      for (const e of page.events) {
        cursor = e.id;
        if (e.jobId !== this.#id) continue;
        yield e;
        if (e.type === "job.done" || e.type === "job.blocked" || e.type === "job.cancelled") return;
      }
      if (page.events.length === 0) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  /** The job's status from the daemon; null while the job waits for earlier jobs. */
  async status(): Promise<JobStatusJson | null> {
    if (this.#id === undefined) return null;
    return (await this.#client.request<{ job: JobStatusJson }>("GET", `/v1/jobs/get?id=${this.#id}`)).job;
  }

  /** Workers stop claiming its files. A job not added yet is added paused (and holds the later ones back). */
  async pause(): Promise<void> {
    this.#paused = true;
    if (this.#id !== undefined) await this.#client.request("POST", "/v1/jobs/pause", { id: this.#id });
  }

  async resume(): Promise<void> {
    this.#paused = false;
    if (this.#id !== undefined) await this.#client.request("POST", "/v1/jobs/resume", { id: this.#id });
  }

  /** Stops the job for good (what is committed stays); a job not added yet is never added. */
  async cancel(): Promise<void> {
    if (this.#id === undefined) {
      this.#cancelledBeforeStart = true;
      return;
    }
    await this.#client.request("POST", "/v1/jobs/cancel", { id: this.#id });
  }

  /** Clears a blocked job and sends failed files round again (`hubpush retry`). */
  async retry(): Promise<void> {
    const id = await this.#started;
    await this.#client.request("POST", "/v1/jobs/retry", { id });
  }
}
