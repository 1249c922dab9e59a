import { createServer, request as httpRequest, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** One call seen by the proxy, as shapes only: the route with names replaced, the JSON keys sent. */
export interface RecordedCall {
  readonly method: string;
  /** The path with the repo id, revision, oids and signatures reduced to placeholders. */
  readonly route: string;
  readonly path: string;
  /** Sorted top-level keys of a JSON body (null when the body is not a JSON object). */
  readonly keys: readonly string[] | null;
  readonly body: Record<string, unknown> | null;
  readonly authorization: boolean;
  readonly status: number;
}

export interface RecordingProxy {
  readonly url: string;
  readonly calls: RecordedCall[];
  close(): Promise<void>;
}

/** Reduces a concrete path to the route it calls, so two clients' calls compare by kind. */
export function routeOf(method: string, path: string, repoId: string): string {
  let route = path.split("?")[0] ?? path;
  route = route.split(repoId).join("{repo}");
  route = route.replace(
    /\/(preupload|commit|paths-info|revision|branch|tree|resolve|commits)\/[^/]+/,
    "/$1/{rev}",
  );
  route = route.replace(/[0-9a-f]{40,64}/g, "{oid}");
  return `${method} ${route}`;
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function jsonObject(bytes: Buffer): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(bytes.toString("utf8"));
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/** An NDJSON commit as shapes: `key{value keys}` per distinct line kind, sorted. */
function ndjsonKeys(bytes: Buffer): string[] {
  const kinds = new Set<string>();
  for (const line of bytes.toString("utf8").split("\n")) {
    const entry = line.trim() === "" ? null : jsonObject(Buffer.from(line));
    if (entry === null) continue;
    const value = entry.value;
    const keys = typeof value === "object" && value !== null ? Object.keys(value).sort().join(",") : "";
    kinds.add(`${String(entry.key)}{${keys}}`);
  }
  return [...kinds].sort();
}

/**
 * A plain HTTP proxy in front of the emulator that forwards every request unchanged and records
 * its shape. Presigned URLs the emulator hands out point at the emulator itself, so only Hub API
 * calls pass here, which is what the comparison is about.
 */
export async function startRecordingProxy(target: string, repoId: string): Promise<RecordingProxy> {
  const upstream = new URL(target);
  const calls: RecordedCall[] = [];
  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readAll(req);
      const method = req.method ?? "GET";
      const path = req.url ?? "/";
      const contentType = req.headers["content-type"] ?? "";
      const ndjson = contentType.includes("ndjson");
      const json = !ndjson && contentType.includes("json") ? jsonObject(body) : null;
      const headers = { ...req.headers, host: upstream.host };
      const forward = httpRequest(
        { host: upstream.hostname, port: upstream.port, method, path, headers },
        (answer) => {
          calls.push({
            method,
            route: routeOf(method, path, repoId),
            path,
            keys: ndjson ? ndjsonKeys(body) : json === null ? null : Object.keys(json).sort(),
            body: json,
            authorization: req.headers.authorization !== undefined,
            status: answer.statusCode ?? 0,
          });
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on("error", () => {
        res.writeHead(502).end();
      });
      forward.end(body);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
