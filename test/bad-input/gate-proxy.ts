import http from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface GateProxy {
  /** The proxy's base URL: give it as the job's endpoint (presigned URLs follow, via the Host header). */
  readonly url: string;
  /** Matching requests that arrived while the gate was closed. */
  readonly held: number;
  /** Forwards the held requests and every later one. */
  open(): void;
  close(): Promise<void>;
}

/**
 * A pass-through proxy to `target` that keeps matching requests waiting (their bodies unread) while
 * the gate is closed: the test knows a request is in flight, changes the folder, then lets it go on.
 */
export async function startGateProxy(
  target: string,
  hold: (req: http.IncomingMessage) => boolean,
): Promise<GateProxy> {
  const upstream = new URL(target);
  const waiting: Array<() => void> = [];
  let closed = true;
  let held = 0;
  const sockets = new Set<Socket>();
  const forward = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const out = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on("error", () => res.destroy());
    req.pipe(out);
  };
  const server = http.createServer((req, res) => {
    if (closed && hold(req)) {
      held += 1;
      waiting.push(() => forward(req, res));
      return;
    }
    forward(req, res);
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get held() {
      return held;
    },
    open() {
      closed = false;
      for (const go of waiting.splice(0)) go();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
