import { createServer } from "node:net";
import { Readable } from "node:stream";
import t from "tap";
import { HubpushError } from "../../../common/hubpush-error.js";
import { HubError } from "../../../core/hub/hub-error.js";
import { isRetryable } from "../../../core/hub/retry-policy.js";
import { UndiciHubClient } from "../../../core/hub/undici-hub-client.js";
import { json, type RecordServer, recordServer } from "./record-server.js";

const TOKEN = "hf_errorsTestSecretToken987";
const repo = { type: "model" as const, id: "alice/m" };
const commitRequest = {
  summary: "s",
  operations: [{ kind: "file" as const, path: "a.txt", content: Buffer.from("hello") }],
};

async function setup(
  t: { teardown(fn: () => Promise<void>): void },
  options: { commitHeadersTimeoutMs?: number } = {},
): Promise<{ server: RecordServer; client: UndiciHubClient }> {
  const server = await recordServer((_req, res) => json(res, 500, { error: "no handler" }));
  const client = new UndiciHubClient({ endpoint: server.url, token: async () => TOKEN, ...options });
  t.teardown(async () => {
    await client.close();
    await server.close();
  });
  return { server, client };
}

async function failure(promise: Promise<unknown>): Promise<HubError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof HubError) return err;
    throw err;
  }
  throw new Error("expected a rejection");
}

/** The token must never leak into what gets logged or shown. */
function noToken(t: { notOk(v: unknown, m: string): void }, err: HubError): void {
  t.notOk(err.message.includes(TOKEN), "the token is not in the message");
  t.notOk(JSON.stringify(err).includes(TOKEN), "the token is not in the JSON");
}

t.test("401: ERR_HUB_UNAUTHORIZED names the endpoint, says what to do, never shows the token", async (t) => {
  const { server, client } = await setup(t);
  server.handle((_req, res) =>
    json(
      res,
      401,
      { error: `token ${TOKEN} is invalid` },
      { "x-error-code": "RepoNotFound", "x-request-id": "req-1" },
    ),
  );
  const err = await failure(client.preupload(repo, "main", [{ path: "a", sample: "", size: 1 }]));
  t.match(err, {
    code: "ERR_HUB_UNAUTHORIZED",
    status: 401,
    retryable: false,
    maybeApplied: false,
    requestId: "req-1",
  });
  t.match(err.message, server.url);
  t.match(err.message, /HF_TOKEN/);
  t.match(err.message, /hubpush retry/);
  noToken(t, err);
  t.equal(err.exitCode, 4);
});

t.test("403: ERR_HUB_FORBIDDEN names the repo", async (t) => {
  const { server, client } = await setup(t);
  server.handle((_req, res) => json(res, 403, { error: "You don't have the rights" }));
  const err = await failure(client.commit(repo, "main", commitRequest));
  t.match(err, { code: "ERR_HUB_FORBIDDEN", status: 403, retryable: false, maybeApplied: false });
  t.match(err.message, /model repo alice\/m/);
  t.match(err.message, /write/);
  noToken(t, err);
});

t.test("404: RepoNotFound, RevisionNotFound, EntryNotFound, and a bare 404", async (t) => {
  const { server, client } = await setup(t);
  const cases = [
    ["RepoNotFound", "ERR_HUB_REPO_NOT_FOUND"],
    ["RevisionNotFound", "ERR_HUB_REVISION_NOT_FOUND"],
    ["EntryNotFound", "ERR_HUB_ENTRY_NOT_FOUND"],
    ["", "ERR_HUB_REPO_NOT_FOUND"],
  ] as const;
  for (const [header, code] of cases) {
    server.handle((_req, res) =>
      json(
        res,
        404,
        { error: "Not here" },
        header === "" ? {} : { "x-error-code": header, "x-error-message": "Not here" },
      ),
    );
    const err = await failure(client.commit(repo, "dev", commitRequest));
    t.match(err, { code, status: 404, retryable: false, errorCode: header === "" ? null : header }, header);
  }
  server.handle((_req, res) =>
    json(res, 404, { error: "Repository not found" }, { "x-error-code": "RepoNotFound" }),
  );
  const repoErr = await failure(client.repoInfo(repo, "main"));
  t.match(repoErr.message, /alice\/m/);
  t.match(repoErr.message, /[Cc]reate it/);
  server.handle((_req, res) =>
    json(res, 404, { error: "Invalid rev id: dev" }, { "x-error-code": "RevisionNotFound" }),
  );
  t.match((await failure(client.repoInfo(repo, "dev"))).message, /"dev"/);
});

t.test(
  "400/422: ERR_HUB_BAD_REQUEST carries the server's message; 413 is ERR_HUB_PAYLOAD_TOO_LARGE",
  async (t) => {
    const { server, client } = await setup(t);
    server.handle((_req, res) =>
      json(res, 400, { error: "Your push was rejected because it contains files larger than 10 MiB" }),
    );
    const bad = await failure(client.commit(repo, "main", commitRequest));
    t.match(bad, { code: "ERR_HUB_BAD_REQUEST", status: 400, retryable: false, maybeApplied: false });
    t.match(bad.message, /larger than 10 MiB/);
    server.handle((_req, res) => json(res, 422, { message: "unprocessable thing" }));
    t.match(await failure(client.commit(repo, "main", commitRequest)), {
      code: "ERR_HUB_BAD_REQUEST",
      message: /unprocessable thing/,
    });
    server.handle((_req, res) => json(res, 413, { error: "Payload Too Large" }));
    t.match(await failure(client.commit(repo, "main", commitRequest)), {
      code: "ERR_HUB_PAYLOAD_TOO_LARGE",
      status: 413,
      retryable: false,
    });
  },
);

t.test("429: retryable with Retry-After, or with RateLimit r=0;t=", async (t) => {
  const { server, client } = await setup(t);
  server.handle((_req, res) => json(res, 429, { error: "slow down" }, { "retry-after": "3" }));
  const first = await failure(client.whoami());
  t.match(first, { code: "ERR_HUB_RATE_LIMITED", status: 429, retryable: true, retryAfterMs: 3000 });
  t.ok(isRetryable(first));
  server.handle((_req, res) =>
    json(
      res,
      429,
      { error: "slow down" },
      { ratelimit: '"api";r=0;t=7', "ratelimit-policy": '"fixed window";"api";q=500;w=300' },
    ),
  );
  t.match(await failure(client.whoami()), { code: "ERR_HUB_RATE_LIMITED", retryAfterMs: 7000 });
  server.handle((_req, res) => json(res, 429, { error: "slow down" }));
  t.equal((await failure(client.whoami())).retryAfterMs, undefined);
});

t.test("5xx: ERR_HUB_SERVER, retryable, maybeApplied", async (t) => {
  const { server, client } = await setup(t);
  server.handle((_req, res) => json(res, 500, { error: "Internal Error" }, { "x-request-id": "r-500" }));
  const err = await failure(client.commit(repo, "main", commitRequest));
  t.match(err, {
    code: "ERR_HUB_SERVER",
    status: 500,
    retryable: true,
    maybeApplied: true,
    requestId: "r-500",
  });
  server.handle((_req, res) => {
    res.writeHead(503, { "content-type": "text/html" });
    res.end("<html><body>Bad gateway page</body></html>");
  });
  const html = await failure(client.preupload(repo, "main", [{ path: "a", sample: "", size: 1 }]));
  t.match(html, { code: "ERR_HUB_SERVER", status: 503 });
  t.notMatch(html.message, /<html>/, "HTML pages are not pasted into messages");
});

t.test("a connection destroyed after the commit body arrived: ERR_HUB_NETWORK, maybeApplied", async (t) => {
  const { server, client } = await setup(t);
  server.handle((_req, res) => {
    res.socket?.destroy();
  });
  const err = await failure(client.commit(repo, "main", commitRequest));
  t.match(err, { code: "ERR_HUB_NETWORK", status: null, retryable: true, maybeApplied: true });
  t.equal(
    server.requests[0]?.body.length,
    Number(server.requests[0]?.headers["content-length"]),
    "the body was sent",
  );
  noToken(t, err);
});

t.test("a body cut off while uploading: not maybeApplied", async (t) => {
  const { server, client } = await setup(t);
  // The server stops reading after the headers; 32 MiB cannot all fit in the socket buffers.
  const size = 32 * 1024 * 1024;
  const chunk = Buffer.alloc(64 * 1024, 1);
  const body = Readable.from(
    (function* () {
      for (let sent = 0; sent < size; sent += chunk.length) yield chunk;
    })(),
  );
  const { createServer: createHttpServer } = await import("node:http");
  const cutter = createHttpServer((req) => {
    req.once("data", () => req.socket.destroy());
  });
  await new Promise<void>((resolve) => cutter.listen(0, "127.0.0.1", resolve));
  t.teardown(() => new Promise<void>((resolve) => cutter.close(() => resolve())));
  const address = cutter.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  const err = await failure(client.putUpload(`http://127.0.0.1:${port}/part?sig=1`, { body, length: size }));
  t.match(err, { code: "ERR_HUB_NETWORK", retryable: true, maybeApplied: false });
  t.equal(server.requests.length, 0);
});

t.test("ECONNREFUSED: ERR_HUB_NETWORK, retryable, not maybeApplied", async (t) => {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const address = probe.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const client = new UndiciHubClient({ endpoint: `http://127.0.0.1:${port}`, token: async () => TOKEN });
  t.teardown(() => client.close());
  const err = await failure(client.commit(repo, "main", commitRequest));
  t.match(err, { code: "ERR_HUB_NETWORK", retryable: true, maybeApplied: false, status: null });
  t.match(err.message, /ECONNREFUSED/);
  noToken(t, err);
});

t.test("no answer within the commit headers timeout: ERR_HUB_TIMEOUT, maybeApplied", async (t) => {
  const { server, client } = await setup(t, { commitHeadersTimeoutMs: 300 });
  server.handle(() => {
    // Never answers: the commit's outcome is unknown.
  });
  const err = await failure(client.commit(repo, "main", commitRequest));
  t.match(err, { code: "ERR_HUB_TIMEOUT", retryable: true, maybeApplied: true });
});

t.test("a 403 from a presigned URL is ERR_HUB_UPLOAD_URL_EXPIRED, retryable", async (t) => {
  const { server, client } = await setup(t);
  server.handle((_req, res) => {
    res.writeHead(403, { "content-type": "application/xml" });
    res.end("<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>");
  });
  const err = await failure(
    client.putUpload(`${server.url}/bucket/obj?X-Amz-Signature=secret-sig`, {
      body: Buffer.from("x"),
      length: 1,
    }),
  );
  t.match(err, { code: "ERR_HUB_UPLOAD_URL_EXPIRED", status: 403, retryable: true });
  t.notOk(JSON.stringify(err).includes("secret-sig"), "the signature in the query string is not repeated");
  t.notOk(err.message.includes("secret-sig"));
});

t.test("malformed answers are ERR_HUB_PROTOCOL", async (t) => {
  const { server, client } = await setup(t);
  server.handle((_req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end("{not json");
  });
  t.match(await failure(client.whoami()), { code: "ERR_HUB_PROTOCOL", retryable: false });
  server.handle((_req, res) => json(res, 200, { success: true }));
  t.match(await failure(client.commit(repo, "main", commitRequest)), {
    code: "ERR_HUB_PROTOCOL",
    maybeApplied: true,
    message: /commitOid/,
  });
});

t.test("an aborted call is ERR_INTERRUPTED; a failing body source keeps its own error", async (t) => {
  const { server, client } = await setup(t);
  server.handle(() => {
    // Never answers.
  });
  const controller = new AbortController();
  const pending = client.whoami(controller.signal);
  setImmediate(() => controller.abort());
  t.match(await failure(pending), { code: "ERR_INTERRUPTED" });

  server.handle((_req, res) => {
    res.end();
  });
  const changed = new HubpushError("ERR_FILE_CHANGED", "data/a.bin changed while being uploaded");
  const source = Readable.from(
    (function* () {
      yield Buffer.alloc(10);
      throw changed;
    })(),
  );
  const err = await client
    .putUpload(`${server.url}/p`, { body: source, length: 20 })
    .catch((e: unknown) => e);
  t.equal(err, changed, "the source's HubpushError is passed through");
  const broken = Readable.from(
    (function* () {
      yield Buffer.alloc(10);
      throw Object.assign(new Error("EIO: i/o error, read"), { code: "EIO" });
    })(),
  );
  const ioErr = await client
    .putUpload(`${server.url}/p`, { body: broken, length: 20 })
    .catch((e: unknown) => e);
  t.match(ioErr, { code: "ERR_FILE_UNREADABLE", message: /EIO/ });
});
