import { readFileSync } from "node:fs";

/** The access-log fields a timeline needs (emulator/access-log.ts: `time` is when the answer went out). */
interface TimedLine {
  readonly time: string;
  readonly route: string;
  readonly bytesIn: number;
  readonly durationMs: number;
  readonly status?: number;
}

/** One content request on the wire, in seconds since the client's start. */
export interface WireRequest {
  readonly start: number;
  readonly end: number;
  readonly megabytes: number;
}

/** A request of another route (complete, commit, …) after the last content byte. */
export interface TailRequest {
  readonly route: string;
  /** Seconds after the last content byte that the request started and ended. */
  readonly start: number;
  readonly end: number;
}

/** Routes that carry file content upstream (LFS basic PUTs and multipart parts). */
const UPLOAD_ROUTES = new Set(["lfs-put", "lfs-part"]);

/** Where a run's wall time went, seen from the emulator (docs/benchmarks.md, W8). */
export interface WireTimeline {
  /** Seconds from the client's start to the first content byte's request (hash, preupload, batch). */
  readonly startupSeconds: number;
  /** Seconds from the first content request's start to the last one's end. */
  readonly sendingSeconds: number;
  /** Seconds after the last content byte until the process ended (complete, commit, exit). */
  readonly tailSeconds: number;
  /** Content bytes / sendingSeconds / cap: how full the link was while content moved. */
  readonly sendingFractionOfCap: number;
  /** Of the sending seconds, the share at < 90 % of the cap (an under-used link, not startup). */
  readonly underusedShare: number;
  /** Most content requests open at once. */
  readonly peakInFlight: number;
  /** Content MB/s in each whole second since the client's start (spread over each request's span). */
  readonly mbPerSecond: readonly number[];
  /** Content requests in flight at each second's middle. */
  readonly inFlight: readonly number[];
  /** Every content request, by start: which transfer began when (a schedule's gaps and tail). */
  readonly requests: readonly WireRequest[];
  /** The other requests that ended after the last content byte, by start: where the tail went. */
  readonly tail: readonly TailRequest[];
}

/**
 * The bytes on the wire per second of one client's run, from the emulator's access log: each
 * content request's bytesIn spread evenly over [time - durationMs, time]. The link shapes the
 * request's arrival, so the spread is what the link carried, to a request's granularity.
 * `startMs`/`endMs` (epoch ms) are the client process's spawn and exit.
 */
export function wireTimeline(accessLog: string, startMs: number, endMs: number, cap: number): WireTimeline {
  const all = readFileSync(accessLog, "utf8")
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as TimedLine)
    .map((l) => {
      const end = Date.parse(l.time) - startMs;
      return { route: l.route, start: end - l.durationMs, end, bytes: l.bytesIn };
    });
  const lines = all.filter((l) => UPLOAD_ROUTES.has(l.route) && l.bytes > 0);
  const seconds = Math.max(1, Math.ceil((endMs - startMs) / 1000));
  const mb = new Array<number>(seconds).fill(0);
  const inFlight = new Array<number>(seconds).fill(0);
  if (lines.length === 0) {
    return {
      startupSeconds: (endMs - startMs) / 1000,
      sendingSeconds: 0,
      tailSeconds: 0,
      sendingFractionOfCap: 0,
      underusedShare: 0,
      peakInFlight: 0,
      mbPerSecond: mb,
      inFlight,
      requests: [],
      tail: [],
    };
  }
  let bytes = 0;
  for (const l of lines) {
    bytes += l.bytes;
    const span = Math.max(1, l.end - l.start);
    for (let s = Math.max(0, Math.floor(l.start / 1000)); s < seconds && s * 1000 < l.end; s++) {
      const overlap = Math.min(l.end, (s + 1) * 1000) - Math.max(l.start, s * 1000);
      if (overlap > 0) mb[s] = (mb[s] ?? 0) + (l.bytes * overlap) / span / 1e6;
      const mid = s * 1000 + 500;
      if (l.start <= mid && mid < l.end) inFlight[s] = (inFlight[s] ?? 0) + 1;
    }
  }
  const first = Math.min(...lines.map((l) => l.start));
  const last = Math.max(...lines.map((l) => l.end));
  const sendingSeconds = (last - first) / 1000;
  // Whole seconds fully inside the sending span, judged against the cap.
  const inside = mb.slice(Math.ceil(first / 1000), Math.floor(last / 1000));
  const under = inside.filter((v) => v * 1e6 < 0.9 * cap).length;
  return {
    startupSeconds: first / 1000,
    sendingSeconds,
    tailSeconds: (endMs - startMs - last) / 1000,
    sendingFractionOfCap: bytes / Math.max(0.001, sendingSeconds) / cap,
    underusedShare: inside.length === 0 ? 0 : under / inside.length,
    peakInFlight: Math.max(...inFlight),
    mbPerSecond: mb,
    inFlight,
    requests: [...lines]
      .sort((a, b) => a.start - b.start)
      .map((l) => ({ start: l.start / 1000, end: l.end / 1000, megabytes: l.bytes / 1e6 })),
    tail: all
      .filter((l) => !UPLOAD_ROUTES.has(l.route) && l.end > last)
      .sort((a, b) => a.start - b.start)
      .map((l) => ({ route: l.route, start: (l.start - last) / 1000, end: (l.end - last) / 1000 })),
  };
}

/** One line for the console: where the time went, then the per-second rate (MB/s) and parts in flight. */
export function formatTimeline(t: WireTimeline): string {
  const rates = t.mbPerSecond.map((v, i) => `${v.toFixed(1)}/${t.inFlight[i] ?? 0}`).join(" ");
  return `startup ${t.startupSeconds.toFixed(1)} s, sending ${t.sendingSeconds.toFixed(1)} s at ${t.sendingFractionOfCap.toFixed(2)} of the cap (${(t.underusedShare * 100).toFixed(0)} % of its seconds < 0.9), tail ${t.tailSeconds.toFixed(1)} s, ≤ ${t.peakInFlight} content requests at once; per second MB/s / in flight: ${rates}`;
}

/**
 * The schedule as the wire saw it, one line: each content request as `start–end:MB` (seconds
 * since the client's start), then each request after the last content byte as `route +start–end`
 * (seconds after that byte): what a ramp, a staggered tail or a late commit costs.
 */
export function formatRequests(t: WireTimeline): string {
  const requests = t.requests
    .map((r) => `${r.start.toFixed(1)}–${r.end.toFixed(1)}:${r.megabytes.toFixed(1)}`)
    .join(" ");
  const tail = t.tail.map((r) => `${r.route} +${r.start.toFixed(2)}–${r.end.toFixed(2)}`).join(", ");
  return `requests (s:MB) ${requests}; after the last content byte: ${tail === "" ? "nothing logged" : tail}`;
}
