import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { HASH_WORKER_LIMITS } from "../../common/heap-limits.js";
import { HubpushError } from "../../common/hubpush-error.js";
import { onAbort } from "../abort-fanout.js";
import type { HashOutcome } from "./hash-file.js";
import type { HashWorkerData, HashWorkerReply, HashWorkerRequest } from "./hash-worker-messages.js";

export type { HashOutcome } from "./hash-file.js";

export interface HashPoolOptions {
  /** Hashing threads. Default: os.availableParallelism(). */
  workers?: number;
  /** Bytes per read, one buffer per thread, reused for every file. Default 1 MiB. */
  readBufferBytes?: number;
}

interface Task {
  readonly id: number;
  readonly path: string;
  readonly signal: AbortSignal | undefined;
  readonly resolve: (outcome: HashOutcome) => void;
  readonly reject: (reason: unknown) => void;
  readonly onAbort: () => void;
  /** Detaches onAbort from the signal once the task settles. */
  offAbort: () => void;
  settled: boolean;
  running: boolean;
}

interface Slot {
  readonly worker: Worker;
  task: Task | null;
  error: Error | null;
}

const RUNNING_TS_SOURCES = import.meta.url.endsWith(".ts");
const WORKER_URL = new URL(RUNNING_TS_SOURCES ? "./hash-worker.ts" : "./hash-worker.js", import.meta.url);

/**
 * From dist/ the worker is plain .js. Run as .ts sources (tests, benches under tsx), Node 20 does
 * not apply the --import loader hooks inside worker threads, so the thread registers tsx itself
 * before importing the worker module (execArgv is emptied so a newer Node does not register twice).
 */
function startWorker(workerData: HashWorkerData): Worker {
  const resourceLimits = { ...HASH_WORKER_LIMITS };
  if (!RUNNING_TS_SOURCES) return new Worker(WORKER_URL, { workerData, resourceLimits });
  const tsxApi = import.meta.resolve("tsx/esm/api");
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(WORKER_URL.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData, execArgv: [], resourceLimits });
}

/**
 * A pool of worker threads that hash files (see hashFile), with a FIFO queue in front. Threads are
 * started on demand up to `size`, unref'd while idle (an idle pool does not keep the process
 * alive) and replaced when one dies; the file a dead thread was reading is answered with a
 * retryable error. Per-file problems are outcomes; a promise rejects only on abort or close().
 */
export class HashPool {
  readonly size: number;
  private readonly readBufferBytes: number;
  private readonly slots: Slot[] = [];
  private queue: Task[] = [];
  private queueHead = 0;
  private nextId = 1;
  private closed = false;

  constructor(options: HashPoolOptions = {}) {
    this.size = Math.max(1, Math.floor(options.workers ?? availableParallelism()));
    this.readBufferBytes = Math.max(1, Math.floor(options.readBufferBytes ?? 1024 * 1024));
  }

  /** Hashes one file in one read: sha256 hex, git blob sha1 hex, base64 of the first ≤ 512 bytes. */
  hash(absolutePath: string, signal?: AbortSignal): Promise<HashOutcome> {
    if (this.closed) return Promise.reject(closedError());
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<HashOutcome>((resolve, reject) => {
      const task: Task = {
        id: this.nextId++,
        path: absolutePath,
        signal,
        resolve,
        reject,
        onAbort: () => this.abortTask(task),
        offAbort: () => {},
        settled: false,
        running: false,
      };
      if (signal !== undefined) task.offAbort = onAbort(signal, task.onAbort);
      this.queue.push(task);
      this.dispatch();
    });
  }

  /** Terminates the threads; queued and running hashes reject with ERR_INTERRUPTED. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const task of this.queue.slice(this.queueHead)) settle(task, { error: closedError() });
    this.queue = [];
    this.queueHead = 0;
    const slots = this.slots.splice(0);
    for (const slot of slots) if (slot.task !== null) settle(slot.task, { error: closedError() });
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  private dispatch(): void {
    while (!this.closed) {
      const idle = this.slots.find((s) => s.task === null);
      if (idle === undefined && this.slots.length >= this.size) return;
      const task = this.takeQueued();
      if (task === null) return;
      let slot: Slot;
      try {
        slot = idle ?? this.spawn();
      } catch (err) {
        settle(task, { outcome: crashOutcome(task.path, `no hashing thread could start: ${String(err)}`) });
        continue;
      }
      task.running = true;
      slot.task = task;
      slot.worker.ref();
      const request: HashWorkerRequest = { type: "hash", id: task.id, path: task.path };
      slot.worker.postMessage(request);
    }
  }

  private takeQueued(): Task | null {
    // The queue is an array read from a moving head; the consumed part is dropped now and then so
    // a queue that is fed as fast as it drains does not keep every finished task alive.
    if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.queueHead);
      this.queueHead = 0;
    }
    while (this.queueHead < this.queue.length) {
      const task = this.queue[this.queueHead++];
      if (task !== undefined && !task.settled) return task;
    }
    this.queue = [];
    this.queueHead = 0;
    return null;
  }

  private spawn(): Slot {
    const data: HashWorkerData = { readBufferBytes: this.readBufferBytes };
    const slot: Slot = { worker: startWorker(data), task: null, error: null };
    slot.worker.on("message", (reply: HashWorkerReply) => this.onReply(slot, reply));
    slot.worker.on("error", (err) => {
      slot.error = err;
    });
    slot.worker.on("exit", (code) => this.onExit(slot, code));
    this.slots.push(slot);
    return slot;
  }

  private onReply(slot: Slot, reply: HashWorkerReply): void {
    const task = slot.task;
    if (task === null || task.id !== reply.id) return;
    slot.task = null;
    slot.worker.unref();
    if (reply.type === "done") settle(task, { outcome: reply.outcome });
    else settle(task, { error: task.signal?.reason });
    this.dispatch();
  }

  private onExit(slot: Slot, code: number): void {
    const index = this.slots.indexOf(slot);
    if (index >= 0) this.slots.splice(index, 1);
    if (this.closed) return;
    const task = slot.task;
    if (task !== null) {
      const why = slot.error?.message ?? `exit code ${code}`;
      settle(task, {
        outcome: crashOutcome(task.path, `the hashing thread stopped while reading it (${why})`),
      });
    }
    // A replacement thread is started by dispatch when work is waiting.
    this.dispatch();
  }

  private abortTask(task: Task): void {
    if (task.settled) return;
    // A queued task is dropped lazily by takeQueued; a running one is cancelled between two reads
    // and its thread stays busy until it answers.
    if (task.running) {
      const slot = this.slots.find((s) => s.task === task);
      const request: HashWorkerRequest = { type: "cancel", id: task.id };
      slot?.worker.postMessage(request);
    }
    settle(task, { error: task.signal?.reason });
  }
}

function settle(task: Task, result: { outcome: HashOutcome } | { error: unknown }): void {
  if (task.settled) return;
  task.settled = true;
  task.offAbort();
  if ("outcome" in result) task.resolve(result.outcome);
  else task.reject(result.error);
}

function crashOutcome(path: string, what: string): HashOutcome {
  return {
    ok: false,
    code: "ERR_FILE_UNREADABLE",
    message: `${path} was not hashed: ${what}; it will be hashed again`,
    retryable: true,
  };
}

function closedError(): HubpushError {
  return new HubpushError("ERR_INTERRUPTED", "the hashing pool was closed before this file was hashed", {
    retryable: true,
  });
}
