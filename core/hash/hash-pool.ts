import { availableParallelism } from "node:os";
import type { Worker } from "node:worker_threads";
import { onAbort } from "../abort-fanout.js";
import type { HashOutcome } from "./hash-file.js";
import { closedError, crashOutcome } from "./hash-pool-errors.js";
import type {
  HashFileResult,
  HashWorkerData,
  HashWorkerReply,
  HashWorkerRequest,
  ThreadCpu,
} from "./hash-worker-messages.js";
import { KeptContent } from "./kept-content.js";
import { startWorker } from "./start-hash-worker.js";

export type { HashOutcome } from "./hash-file.js";
export type { ThreadCpu } from "./hash-worker-messages.js";

/** Small files go to a thread in batches of up to this many files and bytes: one message each way. */
const BATCH_MAX_FILES = 64;
const BATCH_MAX_BYTES = 4 * 1024 * 1024;

/** What the caller knows of a file before it is hashed. */
export interface HashHint {
  /** Its size when it was scanned: files known to be small are batched (a wrong guess costs only latency). */
  readonly size?: number;
  /** Return the bytes of a file of at most this size in the outcome's `content` (default 0: never). */
  readonly keepMaxBytes?: number;
}

export interface HashPoolOptions {
  /** Hashing threads. Default: os.availableParallelism(). */
  workers?: number;
  /** Bytes per read, one buffer per thread, reused for every file. Default 1 MiB. */
  readBufferBytes?: number;
  /** Budget of `kept` in bytes (default KEPT_BUDGET_BYTES). */
  keptBudgetBytes?: number;
}

interface Task {
  readonly id: number;
  readonly path: string;
  readonly hint: HashHint;
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
  /** The batch in progress (its id and tasks), or null while the thread is idle. */
  batch: { readonly id: number; readonly tasks: readonly Task[] } | null;
  /** Callers waiting for this thread's CPU time (the bench). */
  cpuWaiters: Array<(cpu: ThreadCpu | null) => void>;
  error: Error | null;
}

/**
 * A pool of worker threads that hash files (see hashFile), with a FIFO queue in front. Threads are
 * started on demand up to `size`, unref'd while idle (an idle pool does not keep the process
 * alive) and replaced when one dies; the file a dead thread was reading is answered with a
 * retryable error. Per-file problems are outcomes; a promise rejects only on abort or close().
 */
export class HashPool {
  readonly size: number;
  /** Batches and files sent to the threads so far (a batch is one message each way). */
  readonly sent = { batches: 0, files: 0 };
  /** Bytes of small files read by the threads and kept for their commit (bounded; see KeptContent). */
  readonly kept: KeptContent;
  private readonly readBufferBytes: number;
  private readonly slots: Slot[] = [];
  private queue: Task[] = [];
  private queueHead = 0;
  private nextId = 1;
  private closed = false;
  private dispatchScheduled = false;

  constructor(options: HashPoolOptions = {}) {
    this.size = Math.max(1, Math.floor(options.workers ?? availableParallelism()));
    this.readBufferBytes = Math.max(1, Math.floor(options.readBufferBytes ?? 1024 * 1024));
    this.kept = new KeptContent(options.keptBudgetBytes);
  }

  /** Hashes one file in one read: sha256 hex, git blob sha1 hex, base64 of the first ≤ 512 bytes. */
  hash(absolutePath: string, signal?: AbortSignal, hint: HashHint = {}): Promise<HashOutcome> {
    if (this.closed) return Promise.reject(closedError());
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<HashOutcome>((resolve, reject) => {
      const task: Task = {
        id: this.nextId++,
        path: absolutePath,
        hint,
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
      this.scheduleDispatch();
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
    for (const slot of slots) {
      for (const task of slot.batch?.tasks ?? []) settle(task, { error: closedError() });
      for (const waiter of slot.cpuWaiters.splice(0)) waiter(null);
    }
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  /** CPU time of each running thread (null where /proc cannot tell), for the bench. */
  async threadCpu(): Promise<Array<ThreadCpu | null>> {
    return Promise.all(
      this.slots.map(
        (slot) =>
          new Promise<ThreadCpu | null>((resolve) => {
            slot.cpuWaiters.push(resolve);
            slot.worker.ref(); // an idle thread is unref'd: the answer must keep the process alive
            const request: HashWorkerRequest = { type: "cpu" };
            slot.worker.postMessage(request);
          }),
      ),
    );
  }

  /** Files asked for in one tick (a claim of the hash stage) are dispatched together, so they can share a batch. */
  private scheduleDispatch(): void {
    if (this.dispatchScheduled) return;
    this.dispatchScheduled = true;
    queueMicrotask(() => {
      this.dispatchScheduled = false;
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (!this.closed) {
      const idle = this.slots.find((s) => s.batch === null);
      if (idle === undefined && this.slots.length >= this.size) return;
      const tasks = this.takeBatch();
      if (tasks.length === 0) return;
      let slot: Slot;
      try {
        slot = idle ?? this.spawn();
      } catch (err) {
        for (const task of tasks)
          settle(task, { outcome: crashOutcome(task.path, `no hashing thread could start: ${String(err)}`) });
        continue;
      }
      for (const task of tasks) task.running = true;
      slot.batch = { id: this.nextId++, tasks };
      slot.worker.ref();
      this.sent.batches += 1;
      this.sent.files += tasks.length;
      const request: HashWorkerRequest = {
        type: "hash",
        batch: slot.batch.id,
        files: tasks.map((t) => ({ id: t.id, path: t.path, keepMaxBytes: t.hint.keepMaxBytes ?? 0 })),
      };
      slot.worker.postMessage(request);
    }
  }

  /**
   * The next batch: a large (or unsized) file alone, or small files up to BATCH_MAX_FILES and
   * BATCH_MAX_BYTES, and no more than a fair share of the queue, so a short queue still keeps
   * every thread busy.
   */
  private takeBatch(): Task[] {
    const first = this.takeQueued();
    if (first === null) return [];
    const batch = [first];
    if (!isSmall(first)) return batch;
    const share = Math.ceil((this.queue.length - this.queueHead + 1) / this.size);
    let bytes = first.hint.size ?? 0;
    const limit = Math.min(BATCH_MAX_FILES, share);
    while (batch.length < limit) {
      const next = this.peekQueued();
      if (next === null || !isSmall(next) || bytes + (next.hint.size ?? 0) > BATCH_MAX_BYTES) break;
      this.queueHead++;
      bytes += next.hint.size ?? 0;
      batch.push(next);
    }
    return batch;
  }

  /** The next unsettled queued task, left in the queue. */
  private peekQueued(): Task | null {
    while (this.queueHead < this.queue.length) {
      const task = this.queue[this.queueHead];
      if (task !== undefined && !task.settled) return task;
      this.queueHead++;
    }
    return null;
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
    const slot: Slot = { worker: startWorker(data), batch: null, cpuWaiters: [], error: null };
    slot.worker.on("message", (reply: HashWorkerReply) => this.onReply(slot, reply));
    slot.worker.on("error", (err) => {
      slot.error = err;
    });
    slot.worker.on("exit", (code) => this.onExit(slot, code));
    this.slots.push(slot);
    return slot;
  }

  private onReply(slot: Slot, reply: HashWorkerReply): void {
    if (reply.type === "cpu") {
      slot.cpuWaiters.shift()?.(reply.cpu);
      if (slot.batch === null && slot.cpuWaiters.length === 0) slot.worker.unref();
      return;
    }
    const batch = slot.batch;
    if (batch === null || batch.id !== reply.batch) return;
    slot.batch = null;
    slot.worker.unref();
    const byId = new Map<number, HashFileResult>(reply.results.map((r) => [r.id, r]));
    for (const task of batch.tasks) {
      const result = byId.get(task.id);
      if (result !== undefined && "outcome" in result) settle(task, { outcome: result.outcome });
      else if (result !== undefined) settle(task, { error: task.signal?.reason });
      // A thread that answers a batch without one of its files has a bug: that file is retried.
      else settle(task, { outcome: crashOutcome(task.path, "its hashing thread gave no answer for it") });
    }
    this.dispatch();
  }

  private onExit(slot: Slot, code: number): void {
    const index = this.slots.indexOf(slot);
    if (index >= 0) this.slots.splice(index, 1);
    for (const waiter of slot.cpuWaiters.splice(0)) waiter(null);
    if (this.closed) return;
    const why = slot.error?.message ?? `exit code ${code}`;
    // Every file of the batch not yet answered is retried: the thread answers a batch at its end.
    for (const task of slot.batch?.tasks ?? []) {
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
      const slot = this.slots.find((s) => s.batch?.tasks.includes(task) === true);
      const request: HashWorkerRequest = { type: "cancel", id: task.id };
      slot?.worker.postMessage(request);
    }
    settle(task, { error: task.signal?.reason });
  }
}

function isSmall(task: Task): boolean {
  return task.hint.size !== undefined && task.hint.size <= BATCH_MAX_BYTES / 4;
}

function settle(task: Task, result: { outcome: HashOutcome } | { error: unknown }): void {
  if (task.settled) return;
  task.settled = true;
  task.offAbort();
  if ("outcome" in result) task.resolve(result.outcome);
  else task.reject(result.error);
}
