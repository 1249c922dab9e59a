/**
 * A Xet pass thread of XetPassPool: runs runXetPass (read, CDC, chunk hashes, the sha256 check,
 * xorb building) for any number of files at once, so the main thread only answers chunk lookups
 * and uploads. Lookups go to the main thread once per read (1 MiB) for the chunks seen first in
 * this file; xorbs are built into buffers the main thread transfers back after each upload.
 */
import { getHeapSpaceStatistics } from "node:v8";
import { parentPort, workerData } from "node:worker_threads";
import { toHubpushError } from "../../common/hubpush-error.js";
import { loadXetHasher } from "../../xet/xet-hasher.js";
import { PackedChunkIndex } from "./packed-chunk-index.js";
import { expectedChunks, runXetPass, XORB_TARGET_BYTES } from "./xet-file-pass.js";
import {
  type LookupAnswer,
  packXorbChunks,
  type XetWorkerData,
  type XetWorkerReply,
  type XetWorkerRequest,
} from "./xet-pass-messages.js";

const port = parentPort;
if (port === null) throw new Error("xet-pass-worker.ts must run as a worker thread");

const { bufferBudget } = workerData as XetWorkerData;
/**
 * Xorb buffers of this thread: at most `bufferBudget` exist (each XORB_TARGET_BYTES of RSS), shared
 * by its passes; a free one waits here for the next pass or the next waiter.
 */
const free: ArrayBuffer[] = [];
let allocated = 0;
/** Passes waiting for a buffer, first come first served. */
const waiters: Array<{ readonly pass: Pass; readonly give: (buffer: ArrayBuffer) => void }> = [];

interface Pass {
  readonly controller: AbortController;
  /** Rejects once the pass is cancelled. */
  readonly aborted: Promise<never>;
  /** Buffers this pass may hold at once (in flight + queued + building). */
  readonly limit: number;
  /** Buffers this pass holds now (here or out on the main thread). */
  owned: number;
  /** Of those, the ones still in this thread (building): released if the pass ends without sending them. */
  readonly local: Set<ArrayBuffer>;
  answersWaiter: ((answers: readonly LookupAnswer[]) => void) | null;
}

const passes = new Map<number, Pass>();

port.on("message", (request: XetWorkerRequest) => {
  const pass = passes.get(request.id);
  switch (request.type) {
    case "pass":
      start(request);
      return;
    case "answers": {
      const waiter = pass?.answersWaiter;
      if (pass === undefined || waiter == null) return;
      pass.answersWaiter = null;
      waiter(request.answers);
      return;
    }
    case "buffer":
      if (pass !== undefined) pass.owned--;
      release(request.buffer);
      return;
    case "cancel":
      pass?.controller.abort();
      return;
  }
});

/** A buffer came back (uploaded) or was never used: to the first waiter under its limit, else free. */
function release(buffer: ArrayBuffer): void {
  const at = waiters.findIndex((w) => w.pass.owned < w.pass.limit);
  if (at < 0) {
    free.push(buffer);
    return;
  }
  const [waiter] = waiters.splice(at, 1);
  if (waiter === undefined) return;
  waiter.pass.owned++;
  waiter.give(buffer);
}

/**
 * One promise per pass that rejects when it is cancelled, raced by every wait of the pass (one
 * listener per pass: a listener per wait would pile up, one per 1 MiB read).
 */
function abortedPromise(signal: AbortSignal): Promise<never> {
  const promise = new Promise<never>((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
  promise.catch(() => {});
  return promise;
}

async function takeBuffer(pass: Pass): Promise<Uint8Array> {
  // First come first served: a pass does not take a free buffer from an earlier waiter that may use it.
  if (pass.owned < pass.limit && !waiters.some((w) => w.pass.owned < w.pass.limit)) {
    const buffer = free.pop() ?? (allocated < bufferBudget ? newBuffer() : undefined);
    if (buffer !== undefined) {
      pass.owned++;
      pass.local.add(buffer);
      return new Uint8Array(buffer);
    }
  }
  const entry = { pass, give: (_: ArrayBuffer) => {} };
  const next = new Promise<ArrayBuffer>((resolve) => {
    entry.give = resolve;
  });
  waiters.push(entry);
  try {
    const buffer = await Promise.race([next, pass.aborted]);
    pass.local.add(buffer);
    return new Uint8Array(buffer);
  } catch (err) {
    const at = waiters.indexOf(entry);
    if (at >= 0) waiters.splice(at, 1);
    else {
      // Given just as the abort came: hand it on.
      pass.owned--;
      release(await next);
    }
    throw err;
  }
}

function newBuffer(): ArrayBuffer {
  allocated++;
  return new ArrayBuffer(XORB_TARGET_BYTES);
}

function start(request: Extract<XetWorkerRequest, { type: "pass" }>): void {
  const { id } = request;
  const controller = new AbortController();
  const pass: Pass = {
    controller,
    aborted: abortedPromise(controller.signal),
    limit: Math.max(1, request.buffers),
    owned: 0,
    local: new Set(),
    answersWaiter: null,
  };
  passes.set(id, pass);
  const signal = pass.controller.signal;
  /**
   * Final lookup answers of the chunks asked about so far (a chunk is asked about once per file),
   * packed: hash → (xorb number in `xorbs`, or -1 for none; chunk index), sized from the file size.
   * A Map of hash strings for every chunk grew the thread's heap with the file size.
   */
  const answers = new PackedChunkIndex(expectedChunks(request.file.size));
  const xorbs = new XorbNames();
  const prefetch = async (hashes: readonly Uint8Array[], firstIndex: number): Promise<void> => {
    const indices: number[] = [];
    const asked: Uint8Array[] = [];
    for (let i = 0; i < hashes.length; i++) {
      const hash = hashes[i] as Uint8Array;
      if (answers.find(hash) >= 0) continue;
      answers.set(hash, -1, 0);
      indices.push(firstIndex + i);
      asked.push(hash);
    }
    if (asked.length === 0) return;
    const packed = new Uint8Array(32 * asked.length);
    for (let i = 0; i < asked.length; i++) packed.set(asked[i] as Uint8Array, 32 * i);
    const reply = new Promise<readonly LookupAnswer[]>((resolve) => {
      pass.answersWaiter = resolve;
    });
    post({ type: "lookup", id, hashes: packed, indices }, [packed.buffer]);
    const got = await Promise.race([reply, pass.aborted]);
    for (let i = 0; i < asked.length; i++) {
      const answer = got[i] ?? null;
      if (answer !== null) answers.set(asked[i] as Uint8Array, xorbs.number(answer.xorb), answer.index);
    }
  };
  loadXetHasher()
    .then((hasher) =>
      runXetPass({
        absolute: request.absolute,
        file: request.file,
        hasher,
        compression: request.compression,
        spoolDir: request.spoolDir,
        xorbMaxBytes: request.xorbMaxBytes,
        statGuard: request.statGuard,
        // The main thread already asked the CAS (§7.2) for eligible chunks no lookup knew, in file
        // order, before answering: its answer is final, so the pass never queries by itself.
        lookup: (hash) => {
          const e = answers.find(hash);
          const xorb = e < 0 ? -1 : answers.a(e);
          return xorb < 0 ? null : { xorb: xorbs.name(xorb), index: answers.b(e) };
        },
        query: async () => false,
        prefetch,
        xorbBuffer: () => takeBuffer(pass),
        onXorb: async (xorb) => {
          const buffer = xorb.body.buffer as ArrayBuffer;
          pass.local.delete(buffer);
          post(
            {
              type: "xorb",
              id,
              hash: xorb.hash,
              hashString: xorb.hashString,
              chunks: packXorbChunks(xorb.chunks),
              unpackedLength: xorb.unpackedLength,
              buffer,
              length: xorb.body.length,
              spool: xorb.spool,
            },
            [buffer],
          );
        },
        signal,
      }),
    )
    .then(
      (result) => finish(pass, id, { type: "done", id, result, newSpaceBytes: newSpaceBytes() }),
      (err: unknown) => {
        if (signal.aborted) finish(pass, id, { type: "aborted", id });
        else {
          const error = toHubpushError(err);
          finish(pass, id, {
            type: "failed",
            id,
            error: { code: error.code, message: error.message, retryable: error.retryable },
          });
        }
      },
    );
}

/** Xorb hash strings of one pass's lookup answers, numbered (a file names few xorbs, many times). */
class XorbNames {
  readonly #names: string[] = [];
  readonly #numbers = new Map<string, number>();

  number(name: string): number {
    let n = this.#numbers.get(name);
    if (n === undefined) {
      n = this.#names.length;
      this.#names.push(name);
      this.#numbers.set(name, n);
    }
    return n;
  }

  name(n: number): string {
    return this.#names[n] as string;
  }
}

function newSpaceBytes(): number {
  return getHeapSpaceStatistics().find((s) => s.space_name === "new_space")?.space_size ?? 0;
}

function finish(pass: Pass, id: number, reply: XetWorkerReply): void {
  passes.delete(id);
  // A pass that failed or stopped mid-xorb leaves its building buffer here: back to the others.
  for (const buffer of pass.local) release(buffer);
  pass.local.clear();
  post(reply);
}

function post(message: XetWorkerReply, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(message, transfer);
}
