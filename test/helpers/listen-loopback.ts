import type http from "node:http";
import type { AddressInfo, Socket } from "node:net";

/**
 * Listens on 127.0.0.1, port 0, and tracks connections so that `close` really ends the server
 * (keep-alive sockets would otherwise hold it open): for the small fake Hubs and proxies of tests.
 */
export async function listenLoopback(
  server: http.Server,
): Promise<{ url: string; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
