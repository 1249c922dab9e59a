import { type AddressInfo, connect, createServer, type Socket } from "node:net";
import type { LinkSpec } from "./link-spec.js";
import { type DirectionStats, SLICE_BYTES, StallClock, shapedPipe } from "./shaped-pipe.js";
import { defaultBurst, TokenBucket } from "./token-bucket.js";

/** What the link carried so far (docs/emulator.md "Link shaping"). */
export interface LinkStats {
  /** TCP connections accepted so far. */
  readonly connections: number;
  /** Most connections open at once. */
  readonly peakConnections: number;
  /** Client → emulator (uploads). */
  readonly up: Readonly<DirectionStats>;
  /** Emulator → client (responses). */
  readonly down: Readonly<DirectionStats>;
}

export interface LinkShaper {
  readonly port: number;
  stats(): LinkStats;
  /** Stops accepting and destroys every relayed connection. */
  close(): Promise<void>;
}

/**
 * A TCP relay in front of the emulator's HTTP server that shapes traffic like a WAN link: every
 * byte is delayed rtt/2 each way, a new connection's first bytes wait one more rtt (the handshake),
 * each connection is capped at `conn` and all of them together at `total`, each direction on its
 * own (a symmetric link; uploads are what the benchmarks measure). The HTTP handlers see ordinary
 * sockets and stay as they are.
 */
export async function startLinkShaper(
  spec: LinkSpec,
  listen: { host: string; port: number },
  target: { host: string; port: number },
): Promise<LinkShaper> {
  const bucket = (rate: number) =>
    new TokenBucket(rate, defaultBurst(rate, SLICE_BYTES), () => performance.now(), SLICE_BYTES);
  const totalUp = bucket(spec.totalBytesPerSecond);
  const totalDown = bucket(spec.totalBytesPerSecond);
  const up: DirectionStats = { bytes: 0, firstAt: null, lastAt: null, stalledMs: 0 };
  const down: DirectionStats = { bytes: 0, firstAt: null, lastAt: null, stalledMs: 0 };
  const upStalls = new StallClock();
  const downStalls = new StallClock();
  const oneWayMs = spec.rttMs / 2;
  const sockets = new Set<Socket>();
  let connections = 0;
  let open = 0;
  let peakConnections = 0;

  const server = createServer({ allowHalfOpen: true, noDelay: true }, (client) => {
    connections += 1;
    open += 1;
    peakConnections = Math.max(peakConnections, open);
    const upstream = connect({ host: target.host, port: target.port, allowHalfOpen: true, noDelay: true });
    sockets.add(client);
    sockets.add(upstream);
    const fail = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", fail);
    upstream.on("error", fail);
    let closed = 0;
    const onClose = () => {
      closed += 1;
      if (closed === 2) open -= 1;
    };
    client.on("close", () => {
      sockets.delete(client);
      upstream.destroy(); // a client gone (reset or closed) takes its relayed half with it
      onClose();
    });
    upstream.on("close", () => {
      sockets.delete(upstream);
      if (client.writableFinished || client.destroyed) client.destroy();
      onClose();
    });
    shapedPipe(client, upstream, {
      oneWayMs,
      startDelayMs: spec.rttMs,
      buckets: [bucket(spec.connBytesPerSecond), totalUp],
      stats: up,
      stalls: upStalls,
    }).catch(fail);
    shapedPipe(upstream, client, {
      oneWayMs,
      startDelayMs: 0,
      buckets: [bucket(spec.connBytesPerSecond), totalDown],
      stats: down,
      stalls: downStalls,
    }).catch(fail);
  });
  server.on("error", () => {}); // accept errors (EMFILE) must not take the emulator down
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(listen.port, listen.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    stats: () => ({
      connections,
      peakConnections,
      up: { ...up, stalledMs: upStalls.stalledMs },
      down: { ...down, stalledMs: downStalls.stalledMs },
    }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
