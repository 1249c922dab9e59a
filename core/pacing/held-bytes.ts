/**
 * One request body's bytes as UploadStreams counts them (docs/architecture.md "Upload
 * connections"): bytes handed to the socket count once they are more than `held` ahead of what
 * the socket may still hold, and the rest when the answer comes. Between the body's last byte and
 * its answer the socket drains its buffer (seconds on a slow connection): those windows are
 * credited at the connection's share of the last window's rate (drainCredit), so the held bytes
 * do not fall as one lump into the window the answer comes in (a lump that read as a 3× rate and
 * made the next honest window look like a fall).
 */
export interface HeldBody {
  /** Bytes handed to the request so far. */
  handed: number;
  /** Bytes counted as sent so far (≤ handed). */
  counted: number;
  /** `handed` at the previous window's end: unchanged means the body is drained, not fed. */
  handedAtTick: number;
}

/** Bytes to count now for `body` after `bytes` more were handed over. */
export function countHanded(body: HeldBody, bytes: number, held: number): number {
  body.handed += bytes;
  const counted = Math.max(body.counted, body.handed - held);
  const delta = counted - body.counted;
  body.counted = counted;
  return delta;
}

/**
 * At a window's end: bodies handed nothing during it (their socket drains) are credited up to
 * `perStreamRate` × the window, never past what they were handed. Returns the bytes credited.
 */
export function drainCredit(bodies: Iterable<HeldBody>, perStreamRate: number, windowMs: number): number {
  let credited = 0;
  for (const body of bodies) {
    if (body.handed > 0 && body.handed === body.handedAtTick && body.counted < body.handed) {
      const credit = Math.min(body.handed - body.counted, (perStreamRate * windowMs) / 1000);
      body.counted += credit;
      credited += credit;
    }
    body.handedAtTick = body.handed;
  }
  return credited;
}
