import { once } from "node:events";
import type { Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import type { TokenBucket } from "./token-bucket.js";

/** Bytes paced at once: small enough that connections sharing a bucket interleave finely. */
export const SLICE_BYTES = 64 * 1024;
/** Most bytes held in delay timers at once (a cap for links with a delay and no rate limit). */
const MAX_IN_FLIGHT = 8 * 1024 * 1024;

/** What one direction of the link has carried, on the shaper's own clock (performance.now() ms). */
export interface DirectionStats {
  bytes: number;
  /** When the first byte was delivered; null before any. */
  firstAt: number | null;
  /** When the last byte so far was delivered. */
  lastAt: number | null;
  /**
   * Idle stretches longer than STALL_MS (5 ms) when no connection of this direction had a byte to
   * forward, summed: a sender (or a CPU) that stalls is no fault of the shaper, so a rate check
   * may leave these out (`bytes / (lastAt - firstAt - stalledMs)`); short gaps count as busy.
   */
  stalledMs: number;
}

/** An idle stretch longer than this is counted in stalledMs. */
export const STALL_MS = 5;

/** Tracks when a direction's connections all wait for input, for DirectionStats.stalledMs. */
export class StallClock {
  private open = 0;
  private idleSince: number | null = null;
  stalledMs = 0;

  enter(): void {
    if (this.open++ > 0) return;
    const gap = this.idleSince === null ? 0 : performance.now() - this.idleSince;
    if (gap > STALL_MS) this.stalledMs += gap;
  }

  leave(): void {
    if (--this.open === 0) this.idleSince = performance.now();
  }
}

export interface PipeShaping {
  /** Delay of every byte (half the round trip). */
  readonly oneWayMs: number;
  /** Held before the first byte moves (a TCP handshake's round trip on the client's side). */
  readonly startDelayMs: number;
  /** Every bucket the bytes draw from (this connection's, the shared total): the slowest wins. */
  readonly buckets: readonly TokenBucket[];
  readonly stats: DirectionStats;
  readonly stalls: StallClock;
}

/**
 * Copies `from` to `to` as a link would carry it: each slice waits for the buckets, then reaches
 * `to` oneWayMs later. Reading stops while `to` needs a drain or too much is in flight, so TCP's
 * own backpressure reaches the sender. Resolves when `from` ended and `to` was ended; rejects on
 * an error of either side (the caller destroys both).
 */
export async function shapedPipe(from: Socket, to: Socket, shaping: PipeShaping): Promise<void> {
  const { oneWayMs, buckets, stats, stalls } = shaping;
  let inFlight = 0;
  let landed: (() => void) | null = null;
  const deliver = (slice: Buffer) => {
    inFlight -= slice.length;
    if (!to.destroyed) to.write(slice);
    const t = performance.now();
    stats.firstAt ??= t;
    stats.lastAt = t;
    stats.bytes += slice.length;
    landed?.();
  };
  let started = false;
  for await (const chunk of from as AsyncIterable<Buffer>) {
    if (!started) {
      started = true;
      if (shaping.startDelayMs > 0) await sleep(shaping.startDelayMs);
    }
    stalls.enter();
    try {
      await forward(chunk);
    } finally {
      stalls.leave();
    }
    if (to.writableNeedDrain) await Promise.race([once(to, "drain"), once(to, "close")]);
  }
  if (oneWayMs > 0) await sleep(oneWayMs); // the end follows the last byte
  if (!to.destroyed) to.end();

  async function forward(chunk: Buffer): Promise<void> {
    for (let offset = 0; offset < chunk.length; offset += SLICE_BYTES) {
      const slice = chunk.subarray(offset, offset + SLICE_BYTES);
      let wait = 0;
      for (const bucket of buckets) wait = Math.max(wait, bucket.take(slice.length));
      // Below a timer's resolution the debt simply carries to the next slice.
      if (wait >= 1) await sleep(wait);
      if (oneWayMs > 0) {
        inFlight += slice.length;
        setTimeout(deliver, oneWayMs, slice); // same delay each time: timers fire in this order
      } else {
        inFlight += slice.length;
        deliver(slice);
      }
      while (inFlight > MAX_IN_FLIGHT) {
        await new Promise<void>((resolve) => {
          landed = resolve;
        });
        landed = null;
      }
    }
  }
}
