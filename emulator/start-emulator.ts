import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AccessLog } from "./access-log.js";
import { resolveEmulatorConfig } from "./emulator-config.js";
import type { EmulatorOptions } from "./emulator-options.js";
import type { EmulatorState } from "./emulator-state.js";
import { FaultRules } from "./fault-rules.js";
import { createRequestHandler } from "./handle-request.js";
import { type LinkStats, startLinkShaper } from "./link-shaper.js";
import { parseLinkSpec } from "./link-spec.js";
import { openMetadataDb } from "./metadata-db.js";
import { ObjectStore } from "./object-store.js";
import { RepoStore } from "./repo-store.js";
import { TreeIndex } from "./tree-index.js";
import { UrlSigner } from "./url-signer.js";
import { XetCas } from "./xet-cas.js";

export type { EmulatorOptions } from "./emulator-options.js";

export interface RunningEmulator {
  /** e.g. http://127.0.0.1:38123 (no trailing slash). */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** Replaces the fault rules at run time (throws on a bad spec). */
  setFaults(spec: string): void;
  /** What the `link` relay carried (undefined without `link`). */
  linkStats(): LinkStats | undefined;
  /** Stops the server (destroying open connections) and closes the DB. */
  close(): Promise<void>;
}

/** Starts a Hub emulator on loopback (docs/emulator.md). */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const config = resolveEmulatorConfig(options);
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "hubpush-emulator-"));
  mkdirSync(dataDir, { recursive: true });
  const faults = new FaultRules(options.faults ?? "", options.seed ?? 1);
  const linkSpec = options.link === undefined ? undefined : parseLinkSpec(options.link); // before any side effect
  const db = openMetadataDb(join(dataDir, "metadata.sqlite"));
  const state: EmulatorState = {
    config,
    db,
    repos: new RepoStore(db),
    tree: new TreeIndex(db),
    objects: new ObjectStore(dataDir, db),
    signer: new UrlSigner(dataDir),
    faults,
    xet: await XetCas.create(
      {
        enabled: options.xet ?? true,
        tokenTtlSeconds: options.xetTokenTtlSeconds ?? 3600,
        dedupHmacKeyHex: options.xetDedupHmacKey,
      },
      dataDir,
      db,
    ),
  };
  // Keep-alive as long as the Hub's load balancers (tens of seconds), not Node's 5 s: a client whose
  // event loop is busy (chunking, hashing) must not find its pooled socket closed under it.
  const server: Server = createServer(
    { requestTimeout: 0, headersTimeout: 60_000, keepAliveTimeout: 65_000 },
    createRequestHandler(state, new AccessLog(options.accessLog)),
  );
  const sockets = new Set<Socket>();
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.on("clientError", (_err, socket) => {
    socket.destroy();
  });
  let link: Awaited<ReturnType<typeof startLinkShaper>> | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      // With a link, the HTTP server hides on a free port behind the shaping relay (link-shaper.ts).
      server.listen(linkSpec ? 0 : config.port, config.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    const inner = { host: config.host, port: (server.address() as AddressInfo).port };
    link = linkSpec ? await startLinkShaper(linkSpec, config, inner) : undefined;
  } catch (err) {
    if (server.listening) server.close();
    db.close();
    if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  const port = link?.port ?? (server.address() as AddressInfo).port;
  const hostPart = config.host.includes(":") ? `[${config.host}]` : config.host;
  let closed: Promise<void> | undefined;
  return {
    url: `http://${hostPart}:${port}`,
    port,
    dataDir,
    setFaults: (spec) => faults.replace(spec),
    linkStats: () => link?.stats(),
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }).then(async () => {
        await link?.close();
        db.close();
        if (ownDir) rmSync(dataDir, { recursive: true, force: true });
      });
      return closed;
    },
  };
}
