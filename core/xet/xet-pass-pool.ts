import { availableParallelism } from "node:os";
import type { Worker } from "node:worker_threads";
import { HubpushError } from "../../common/hubpush-error.js";
import { onAbort } from "../abort-fanout.js";
import { startModuleWorker } from "../start-module-worker.js";
import { startWithSemiSpace, XET_WORKER_SEMI_SPACE_MB } from "./worker-semi-space.js";
import { eligible, type PassInputs, type PassResult, XORB_TARGET_BYTES } from "./xet-file-pass.js";
import {
  type LookupAnswer,
  unpackXorbChunks,
  type XetWorkerData,
  type XetWorkerReply,
  type XetWorkerRequest,
} from "./xet-pass-messages.js";
import type { OutgoingXorb } from "./xorb-spool.js";

/**
 * A pass thread's heap: terms and per-xorb records of the files it passes; the per-chunk state
 * (packed-chunks.ts, packed-chunk-index.ts) and xorb bodies are ArrayBuffers outside the heap.
 * Bounded as the hash workers are, so V8 collects early.
 */
export const XET_WORKER_LIMITS = Object.freeze({ maxOldGenerationSizeMb: 128, maxYoungGenerationSizeMb: 8 });

const MiB = 1024 * 1024;

/**
 * What all pass threads together may use: each thread's own memory (XET_THREAD_BYTES) and the xorb
 * buffers. The issue-16 bound is 250 MB peak RSS for the whole process, whatever the folder; LFS
 * alone peaks near 190 MB on W2x. 40 MiB gives 2 threads and 4 buffers of 2 MiB (XORB_TARGET_BYTES;
 * they were 8 MiB under a 64 MiB budget, same shape: on W2x at 4 × 256 MiB, 3 buffers per file had
 * put peak RSS at 287 MB and a budget of 6 at 252–263 MB); four still keep the CAS busy (two
 * uploading while two build). Without it, one thread per core with 2 buffers each would put a
 * 32-core machine at > 1 GB.
 */
export const XET_MEMORY_BUDGET_BYTES = 40 * MiB;

/**
 * One pass thread without its xorb buffers: its isolate and heap (used 8–10 MB, 17 MB reserved after
 * four 1 GiB passes with packed chunk state), the WebAssembly memories of the hashers and chunker,
 * two 1 MiB read buffers per pass, and the packed chunk state (≈ 0.1 MB per GiB of file).
 */
export const XET_THREAD_BYTES = 16 * MiB;

/**
 * Threads and xorb buffers a memory budget allows: each thread needs its own memory and 2 buffers
 * (one uploading while the next builds); the buffers left over are shared (first come first served).
 */
export function passPoolShape(cores: number, budgetBytes: number): { threads: number; buffers: number } {
  const perThread = XET_THREAD_BYTES + 2 * XORB_TARGET_BYTES;
  const threads = Math.max(1, Math.min(Math.floor(cores), Math.floor(budgetBytes / perThread)));
  const spare = Math.floor((budgetBytes - threads * XET_THREAD_BYTES) / XORB_TARGET_BYTES);
  return { threads, buffers: Math.max(2 * threads, spare) };
}

/** Xorb buffers of all pass threads together, under the default budget (4 × 8 MiB on 2+ cores). */
export const XORB_BUFFER_BUDGET = passPoolShape(2, XET_MEMORY_BUDGET_BYTES).buffers;

export interface WorkerPassOptions extends PassInputs {
  /** Uploads one xorb (resolves once it is stored); at most `streams` run at once. */
  readonly upload: (xorb: OutgoingXorb) => Promise<void>;
  readonly streams: number;
}

interface Slot {
  readonly worker: Worker;
  readonly passes: Map<number, Running>;
  error: Error | null;
}

/** The end of a pass as the worker reported it. */
type WorkerEnd =
  | { readonly kind: "done"; readonly result: PassResult }
  | { readonly kind: "failed"; readonly error: HubpushError }
  | { readonly kind: "aborted" };

interface Running {
  readonly id: number;
  readonly slot: Slot;
  readonly options: WorkerPassOptions;
  readonly resolve: (result: PassResult) => void;
  readonly reject: (reason: unknown) => void;
  readonly queue: OutgoingXorb[];
  inflight: number;
  failure: unknown;
  end: WorkerEnd | null;
  /** Lookup requests answered in order (the worker sends one at a time; this keeps it so). */
  lookups: Promise<void>;
  offAbort: () => void;
  settled: boolean;
  /** Aborted, or an upload failed: the worker was told to stop. */
  cancelled: boolean;
}

/** A pass thread (xet-pass-worker.ts), with the bounded heap of XET_WORKER_LIMITS. */
function startWorker(workerData: XetWorkerData): Worker {
  return startWithSemiSpace(XET_WORKER_SEMI_SPACE_MB, () =>
    startModuleWorker(import.meta.url, "xet-pass-worker", workerData, XET_WORKER_LIMITS),
  );
}

/**
 * Runs Xet file passes (runXetPass) in worker threads, so chunking, BLAKE3, the sha256 check and
 * xorb building of several files use every core while the main thread answers lookups and uploads.
 * Each thread passes any number of files at once (a new pass goes to the least busy thread; threads
 * start on demand up to `size`, are unref'd while idle and replaced when one dies — its passes fail
 * retryable). Why a streaming pass with lookups per read rather than two phases (chunk list first,
 * xorbs on a second read): one read of the file instead of two, and memory stays at the xorbs in
 * flight; the lookup round trip per 1 MiB read overlaps with the other files' passes on the thread.
 */
export class XetPassPool {
  readonly size: number;
  private readonly slots: Slot[] = [];
  private nextId = 1;
  private closed = false;

  private readonly bufferBudget: number;

  /**
   * `workers` (default: one per core) and `bufferBudget` (xorb buffers of all threads together) are
   * capped by what `memoryBudget` (default XET_MEMORY_BUDGET_BYTES) allows: passPoolShape.
   */
  constructor(options: { workers?: number; bufferBudget?: number; memoryBudget?: number } = {}) {
    const shape = passPoolShape(
      Math.max(1, options.workers ?? availableParallelism()),
      options.memoryBudget ?? XET_MEMORY_BUDGET_BYTES,
    );
    this.size = shape.threads;
    this.bufferBudget = Math.max(1, Math.floor(Math.min(options.bufferBudget ?? Infinity, shape.buffers)));
  }

  #peakNewSpaceBytes = 0;

  /** Largest young-generation (new space) size a pass thread reported at the end of a pass. */
  get peakNewSpaceBytes(): number {
    return this.#peakNewSpaceBytes;
  }

  /** Threads running now (started on demand, at most `size`). */
  get threads(): number {
    return this.slots.length;
  }

  run(options: WorkerPassOptions): Promise<PassResult> {
    if (this.closed) return Promise.reject(interrupted("the Xet pass pool was closed"));
    if (options.signal.aborted) return Promise.reject(options.signal.reason);
    let slot: Slot;
    try {
      slot = this.pick();
    } catch (err) {
      return Promise.reject(
        new HubpushError(
          "ERR_FILE_UNREADABLE",
          `${options.file.path} was not chunked: no Xet thread could start (${String(err)}); it will be tried again`,
          { retryable: true },
        ),
      );
    }
    return new Promise<PassResult>((resolve, reject) => {
      const pass: Running = {
        id: this.nextId++,
        slot,
        options,
        resolve,
        reject,
        queue: [],
        inflight: 0,
        failure: null,
        end: null,
        lookups: Promise.resolve(),
        offAbort: () => {},
        settled: false,
        cancelled: false,
      };
      slot.passes.set(pass.id, pass);
      slot.worker.ref();
      pass.offAbort = onAbort(options.signal, () => this.cancel(pass));
      const request: XetWorkerRequest = {
        type: "pass",
        id: pass.id,
        absolute: options.absolute,
        file: { path: options.file.path, size: options.file.size, sha256: options.file.sha256 },
        compression: options.compression,
        // In flight, one queued behind them, one building.
        buffers: options.streams + 1,
        spoolDir: options.spoolDir,
        xorbMaxBytes: options.xorbMaxBytes,
        statGuard: options.statGuard,
      };
      slot.worker.postMessage(request);
    });
  }

  /** Terminates the threads; running passes reject with ERR_INTERRUPTED. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const slots = this.slots.splice(0);
    for (const slot of slots) {
      for (const pass of slot.passes.values()) {
        pass.end = { kind: "failed", error: interrupted("the Xet pass pool was closed") };
        this.maybeSettle(pass);
      }
    }
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  private pick(): Slot {
    let best: Slot | undefined;
    for (const slot of this.slots) if (best === undefined || slot.passes.size < best.passes.size) best = slot;
    if (best !== undefined && (best.passes.size === 0 || this.slots.length >= this.size)) return best;
    const bufferBudget = Math.max(2, Math.ceil(this.bufferBudget / this.size));
    const slot: Slot = { worker: startWorker({ bufferBudget }), passes: new Map(), error: null };
    slot.worker.on("message", (reply: XetWorkerReply) => this.onReply(slot, reply));
    slot.worker.on("error", (err) => {
      slot.error = err;
    });
    slot.worker.on("exit", (code) => this.onExit(slot, code));
    this.slots.push(slot);
    return slot;
  }

  private onReply(slot: Slot, reply: XetWorkerReply): void {
    const pass = slot.passes.get(reply.id);
    if (pass === undefined) return;
    switch (reply.type) {
      case "lookup":
        pass.lookups = pass.lookups.then(() => this.answer(pass, reply.hashes, reply.indices));
        return;
      case "xorb":
        pass.queue.push({
          hash: reply.hash,
          hashString: reply.hashString,
          body: new Uint8Array(reply.buffer, 0, reply.length),
          chunks: unpackXorbChunks(reply.chunks),
          unpackedLength: reply.unpackedLength,
          ...(reply.spool === undefined ? {} : { spool: reply.spool }),
        });
        this.pump(pass);
        return;
      case "done":
        pass.end = { kind: "done", result: reply.result };
        this.#peakNewSpaceBytes = Math.max(this.#peakNewSpaceBytes, reply.newSpaceBytes);
        break;
      case "failed":
        pass.end = {
          kind: "failed",
          error: new HubpushError(reply.error.code, reply.error.message, {
            retryable: reply.error.retryable,
          }),
        };
        break;
      case "aborted":
        pass.end = { kind: "aborted" };
        break;
    }
    this.maybeSettle(pass);
  }

  /** lookup, then for an eligible chunk nothing knows the CAS query and lookup again — the in-thread order. */
  private async answer(pass: Running, hashes: Uint8Array, indices: readonly number[]): Promise<void> {
    const { lookup, query } = pass.options;
    const answers: LookupAnswer[] = [];
    try {
      for (let i = 0; i < indices.length; i++) {
        // A cancelled pass reads no further: its pending lookups are not answered.
        if (pass.cancelled) return;
        const hash = hashes.slice(32 * i, 32 * (i + 1));
        let known = lookup(hash);
        if (known === null && eligible(indices[i] as number, hash) && (await query(hash)))
          known = lookup(hash);
        answers.push(known);
      }
    } catch (err) {
      this.fail(pass, err);
      return;
    }
    if (pass.end === null) this.post(pass.slot, { type: "answers", id: pass.id, answers });
  }

  /** Starts queued xorb uploads while fewer than `streams` are in flight. */
  private pump(pass: Running): void {
    while (pass.queue.length > 0 && (pass.failure !== null || pass.inflight < pass.options.streams)) {
      const xorb = pass.queue.shift() as OutgoingXorb;
      if (pass.failure !== null) {
        this.giveBack(pass, xorb);
        continue;
      }
      pass.inflight++;
      // A spooled xorb's body is all on disk (xorb-spool.ts): its buffer goes back as the upload
      // starts. Queued xorbs still hold theirs, which bounds how far the pass runs ahead.
      const spooled = xorb.spool !== undefined && xorb.body.length === 0;
      if (spooled) this.giveBack(pass, xorb);
      pass.options
        .upload(xorb)
        .catch((err: unknown) => this.fail(pass, err))
        .finally(() => {
          pass.inflight--;
          if (!spooled) this.giveBack(pass, xorb);
          this.pump(pass);
          this.maybeSettle(pass);
        });
    }
  }

  private giveBack(pass: Running, xorb: OutgoingXorb): void {
    const buffer = xorb.body.buffer as ArrayBuffer;
    if (!this.slots.includes(pass.slot)) return;
    this.post(pass.slot, { type: "buffer", id: pass.id, buffer }, [buffer]);
  }

  private fail(pass: Running, err: unknown): void {
    if (pass.failure !== null) return;
    pass.failure = err;
    this.cancel(pass);
  }

  private cancel(pass: Running): void {
    pass.cancelled = true;
    if (pass.end === null) this.post(pass.slot, { type: "cancel", id: pass.id });
  }

  private post(slot: Slot, message: XetWorkerRequest, transfer: ArrayBuffer[] = []): void {
    if (this.slots.includes(slot)) slot.worker.postMessage(message, transfer);
  }

  /** Settles once the worker ended the pass and every upload it started is over (as the in-thread pass did). */
  private maybeSettle(pass: Running): void {
    if (pass.settled || pass.end === null || pass.inflight > 0) return;
    for (const xorb of pass.queue.splice(0)) this.giveBack(pass, xorb);
    pass.settled = true;
    pass.offAbort();
    pass.slot.passes.delete(pass.id);
    if (pass.slot.passes.size === 0) pass.slot.worker.unref();
    const end = pass.end;
    if (end.kind === "failed") pass.reject(end.error);
    else if (pass.failure !== null) pass.reject(pass.failure);
    else if (end.kind === "aborted")
      pass.reject(pass.options.signal.reason ?? interrupted("the Xet pass stopped"));
    else pass.resolve(end.result);
  }

  private onExit(slot: Slot, code: number): void {
    const index = this.slots.indexOf(slot);
    if (index >= 0) this.slots.splice(index, 1);
    const why = slot.error?.message ?? `exit code ${code}`;
    for (const pass of slot.passes.values()) {
      pass.end ??= {
        kind: "failed",
        error: new HubpushError(
          "ERR_FILE_UNREADABLE",
          `${pass.options.file.path} was not chunked: the Xet thread stopped while reading it (${why}); it will be tried again`,
          { retryable: true },
        ),
      };
      this.maybeSettle(pass);
    }
  }
}

function interrupted(what: string): HubpushError {
  return new HubpushError("ERR_INTERRUPTED", `${what} before this file was chunked`, { retryable: true });
}

let shared: XetPassPool | undefined;

/** The process-wide pool (threads start on the first Xet file). */
export function xetPassPool(): XetPassPool {
  shared ??= new XetPassPool();
  return shared;
}
