import pLimit, { type LimitFunction } from "p-limit";
import { AdaptiveStreams, type StreamsDecision } from "./adaptive-streams.js";
import { countHanded, drainCredit, type HeldBody } from "./held-bytes.js";
import { PriorityGate, START_GATHER_MS } from "./priority-gate.js";

export interface UploadStreamsOptions {
  /** Streams to begin with and the floor (the --workers setting). */
  readonly start: number;
  /** Most streams (connections sending bytes) at once. */
  readonly max: number;
  /** Length of one measuring window in ms. */
  readonly windowMs: number;
  /** Bytes of parts read into memory (to be sent beside a streamed one) the engine may hold. */
  readonly bufferBytes: number;
  /**
   * Bytes of each request body not counted as sent until its socket drains or its answer came
   * (default 6 MiB: Linux's largest TCP send buffer, tcp_wmem, is 4 MiB, and the stream buffers
   * before it hold 1–2 MiB more; measured through the emulator's relay, a body's first second
   * handed 5.8 MB to a 1 MB/s link): that much goes at once, long before the link carries it, and
   * a rate read from bytes handed over would run seconds ahead of the wire. Too high only delays
   * a new body's first count; too low reads a start as speed and takes back a useful connection.
   */
  readonly heldBytesPerStream?: number;
  /** Windows skipped after a change and at a (re)start (AdaptiveStreams settleWindows, default 1). */
  readonly settleWindows?: number;
  /** How long an idle start holds the file slots for the files claimed with the first (default START_GATHER_MS). */
  readonly gatherMs?: number;
  /** Told of every decision (for the log). */
  readonly onDecision?: (decision: StreamsDecision, limit: number, rate: number) => void;
}

/** Counts one request body's bytes as they are handed over (see heldBytesPerStream). */
export interface StreamMeter {
  sent(bytes: number): void;
}

/**
 * The engine's upload connections: file slots (a file being transferred) and stream slots (one
 * request body being sent: a basic PUT or a multipart part). Both follow one adaptive count
 * (AdaptiveStreams): a file takes one stream, and a big file's further parts take the streams
 * that fewer files than streams leave free. The count is measured from the bytes sent per window.
 */
export class UploadStreams {
  readonly #files: PriorityGate;
  readonly #streams: LimitFunction;
  #control: AdaptiveStreams;
  readonly #options: UploadStreamsOptions;
  #bytes = 0;
  /** Bytes counted as sent so far, all windows together (for tests). */
  #counted = 0;
  /** Request bodies being sent now. */
  readonly #bodies = new Set<HeldBody>();
  /** The last window's rate per body being sent: what a draining socket is credited. */
  #perStreamRate = 0;
  /** Bytes of part buffers allocated (in use or free for reuse), ≤ bufferBytes. */
  #allocated = 0;
  readonly #free: Buffer[] = [];
  #queued = false;
  /** A file waits for room to send one more part, since it said so (cleared when room is made). */
  #wanting = false;
  #timer: NodeJS.Timeout | null = null;
  #windowStart = 0;
  #roomWaiters: Array<() => void> = [];

  constructor(options: UploadStreamsOptions) {
    this.#options = options;
    this.#control = this.#newControl(options.start, options.max);
    this.#files = new PriorityGate(options.start, undefined, options.gatherMs ?? START_GATHER_MS);
    this.#streams = pLimit(options.start);
  }

  #newControl(start: number, max: number): AdaptiveStreams {
    return new AdaptiveStreams({
      start,
      max,
      settleWindows: this.#options.settleWindows ?? 1,
      judgeWindows: 2,
    });
  }

  /** Streams allowed now. */
  get limit(): number {
    return this.#control.limit;
  }

  /** Begins again from `start` (the --workers setting changed). */
  restart(start: number, max: number): void {
    this.#control = this.#newControl(start, max);
    this.#apply();
  }

  /** Runs one file's transfer in a file slot: larger files first, with a bounded head start (PriorityGate). */
  withFile<T>(fn: () => Promise<T>, bytes = 0): Promise<T> {
    return this.#files.run(() => {
      this.#arm();
      return fn();
    }, bytes);
  }

  /**
   * Sends one request body in a stream slot; a transfer that has to wait asks for more streams.
   * `fn` reports the body's bytes to its meter as it hands them over; the last heldBytesPerStream
   * of them count once `fn` resolved (the answer came: every byte crossed the link).
   */
  withStream<T>(fn: (meter: StreamMeter) => Promise<T>): Promise<T> {
    if (this.#streams.activeCount >= this.#streams.concurrency) this.#queued = true;
    return this.#streams(async () => {
      this.#arm();
      const held = this.#options.heldBytesPerStream ?? 6 * 1024 * 1024;
      const body: HeldBody = { handed: 0, counted: 0, handedAtTick: 0 };
      this.#bodies.add(body);
      const meter: StreamMeter = { sent: (bytes) => this.#count(countHanded(body, bytes, held)) };
      try {
        const result = await fn(meter);
        this.#count(body.handed - body.counted);
        body.counted = body.handed;
        return result;
      } finally {
        this.#bodies.delete(body);
        queueMicrotask(() => this.#wakeRoom()); // after the limiter has counted the slot free
      }
    });
  }

  /** Resolves when a stream slot is freed or the count grows: a file may then add a part. */
  whenRoom(): Promise<void> {
    return new Promise((resolve) => this.#roomWaiters.push(resolve));
  }

  #wakeRoom(): void {
    this.#wanting = false; // the woken look again and say so once more if they still wait
    const waiters = this.#roomWaiters;
    this.#roomWaiters = [];
    for (const wake of waiters) wake();
  }

  /** A stream slot is free right now (a part may be sent beside the file's others). */
  get streamFree(): boolean {
    return this.#streams.activeCount + this.#streams.pendingCount < this.#streams.concurrency;
  }

  /** Files claimed and waiting for a file slot (they are ordered there, largest first). */
  get filesWaiting(): number {
    return this.#files.pendingCount;
  }

  /** No request body is being sent: the link carries nothing of ours. */
  get idle(): boolean {
    return this.#streams.activeCount === 0 && this.#streams.pendingCount === 0;
  }

  /** More streams could be used now: a transfer waited for one in this window, or still waits. */
  get wanted(): boolean {
    return this.#queued || this.#wanting || this.#files.pendingCount > 0 || this.#streams.pendingCount > 0;
  }

  /** A file could send one more part at once if a stream were free: more streams could be used. */
  wantMore(): void {
    this.#queued = true;
    this.#wanting = true;
  }

  /**
   * A buffer of at least `bytes` from the engine's part-buffer budget, or null when the budget is
   * spent. Buffers are reused (a 16 MiB allocation per part would grow the RSS with garbage the
   * GC returns late); give each back with giveBack once its part is sent and hashed.
   */
  takeBuffer(bytes: number): Buffer | null {
    const fit = this.#free.findIndex((b) => b.length >= bytes);
    if (fit >= 0) return this.#free.splice(fit, 1)[0] ?? null;
    while (this.#allocated + bytes > this.#options.bufferBytes && this.#free.length > 0)
      this.#allocated -= this.#free.pop()?.length ?? 0; // too small to reuse: make room
    if (this.#allocated + bytes > this.#options.bufferBytes) return null;
    this.#allocated += bytes;
    return Buffer.allocUnsafeSlow(bytes);
  }

  giveBack(buffer: Buffer): void {
    this.#free.push(buffer);
  }

  /** Bytes of part buffers allocated now (for tests). */
  get bufferBytesAllocated(): number {
    return this.#allocated;
  }

  #count(bytes: number): void {
    this.#bytes += bytes;
    this.#counted += bytes;
  }

  /** Bytes counted as sent so far (request bodies, less what their sockets may still hold). */
  get countedBytes(): number {
    return this.#counted;
  }

  /** Files waiting for a slot also mean more streams could be used. */
  #noteFileQueue(): void {
    if (this.#files.pendingCount > 0) this.#queued = true;
  }

  #arm(): void {
    if (this.#timer !== null) return;
    this.#bytes = 0;
    this.#queued = false;
    this.#windowStart = performance.now();
    this.#control.settle(); // the first window after a start fills socket buffers
    this.#timer = setInterval(() => this.#tick(), this.#options.windowMs);
    this.#timer.unref();
  }

  #tick(): void {
    this.#noteFileQueue();
    const busy = this.#files.activeCount + this.#streams.activeCount > 0;
    const now = performance.now();
    const windowMs = Math.max(1, now - this.#windowStart);
    this.#count(drainCredit(this.#bodies, this.#perStreamRate, windowMs));
    const rate = (this.#bytes * 1000) / windowMs;
    this.#perStreamRate = rate / Math.max(1, this.#bodies.size);
    // A file that said it wants a stream and still waits for room wants it in every window until
    // woken: read from the window it said so only, the want of a big file sending beside another
    // one's parts was forgotten after 2 s and W8's fifth and sixth connections came 16 s late.
    const wanted = this.wanted;
    this.#bytes = 0;
    this.#queued = false;
    this.#windowStart = now;
    if (!busy) {
      // Idle: stop measuring (the next transfer starts a fresh window from the count reached) and
      // let the spare part buffers go.
      for (const b of this.#free.splice(0)) this.#allocated -= b.length;
      if (this.#timer !== null) clearInterval(this.#timer);
      this.#timer = null;
      return;
    }
    const decision = this.#control.observe(rate, wanted);
    if (decision !== "keep") {
      this.#apply();
      this.#options.onDecision?.(decision, this.#control.limit, rate);
    }
  }

  #apply(): void {
    this.#files.concurrency = this.#control.limit;
    this.#streams.concurrency = this.#control.limit;
    this.#wakeRoom();
  }
}
