import { randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import t from "tap";
import { HubError } from "../../../core/hub/hub-error.js";
import { UndiciHubClient } from "../../../core/hub/undici-hub-client.js";
import { json, type RecordedRequest, recordServer } from "./record-server.js";

const TOKEN = "hf_wireTestSecretToken123";
const OID = "dffd6021bb2bd5b0af676290809ec3a53191dd81c7f70a4b28688a362182986f";
const oid = (n: number) => n.toString(16).padStart(64, "0");

async function setup(t: { teardown(fn: () => Promise<void>): void }) {
  const server = await recordServer((_req, res) => json(res, 500, { error: "no handler" }));
  const client = new UndiciHubClient({ endpoint: `${server.url}/`, token: async () => TOKEN });
  t.teardown(async () => {
    await client.close();
    await server.close();
  });
  return { server, client };
}

function only(requests: RecordedRequest[]): RecordedRequest {
  const [first, ...rest] = requests;
  if (first === undefined || rest.length > 0) throw new Error(`expected one request, got ${requests.length}`);
  return first;
}

function lines(body: Buffer): unknown[] {
  return body
    .toString("utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as unknown);
}

t.test("commit: NDJSON header first, base64 content, lfsFile fields, every line ends in \\n", async (t) => {
  const { server, client } = await setup(t);
  server.handle((_req, res) => json(res, 200, { success: true, commitOid: "a".repeat(40), commitUrl: "u" }));
  const answer = await client.commit({ type: "dataset", id: "alice/ds" }, "refs/pr/1", {
    summary: "Add files",
    description: "many",
    parentCommit: "b".repeat(40),
    operations: [
      { kind: "file", path: "hello.txt", content: Buffer.from("Hello, World!") },
      { kind: "lfsFile", path: "w/model.bin", oid: OID, size: 13 },
      { kind: "deletedFile", path: "old.txt" },
      { kind: "deletedFolder", path: "logs/" },
      { kind: "file", path: "empty", content: Buffer.alloc(0) },
    ],
  });
  t.same(answer, { commitOid: "a".repeat(40), commitUrl: "u" });
  const req = only(server.requests);
  t.equal(req.method, "POST");
  t.equal(req.url, "/api/datasets/alice/ds/commit/refs%2Fpr%2F1");
  t.equal(req.headers["content-type"], "application/x-ndjson");
  t.equal(req.headers["content-length"], String(req.body.length));
  t.equal(req.headers.authorization, `Bearer ${TOKEN}`);
  t.match(req.headers["user-agent"], /^hubpush\/\d+\.\d+\.\d+[^;]*; node\/\d+\.\d+\.\d+$/);
  t.equal(req.body.at(-1), 0x0a, "the last line ends with a newline");
  t.notOk(req.body.includes("\n\n"), "no blank lines");
  t.same(lines(req.body), [
    { key: "header", value: { summary: "Add files", description: "many", parentCommit: "b".repeat(40) } },
    { key: "file", value: { content: "SGVsbG8sIFdvcmxkIQ==", path: "hello.txt", encoding: "base64" } },
    { key: "lfsFile", value: { path: "w/model.bin", algo: "sha256", oid: OID, size: 13 } },
    { key: "deletedFile", value: { path: "old.txt" } },
    { key: "deletedFolder", value: { path: "logs/" } },
    { key: "file", value: { content: "", path: "empty", encoding: "base64" } },
  ]);
});

t.test("commit: 1,000 inline files and a 1 MiB file stream with an exact Content-Length", async (t) => {
  const { server, client } = await setup(t);
  server.handle((_req, res) => json(res, 200, { commitOid: "c".repeat(40), commitUrl: "u" }));
  const files = Array.from({ length: 1000 }, (_, i) => ({
    kind: "file" as const,
    path: `dir/ünïcode-${i}.txt`,
    content: randomBytes(1 + (i % 7) * 1000),
  }));
  const big = { kind: "file" as const, path: "big.bin", content: randomBytes(1024 * 1024 + 1) };
  await client.commit({ type: "model", id: "alice/m" }, "main", {
    summary: "s",
    operations: [...files, big],
  });
  const req = only(server.requests);
  t.equal(req.headers["content-length"], String(req.body.length));
  t.equal(req.headers["transfer-encoding"], undefined, "not chunked");
  const parsed = lines(req.body) as { key: string; value: { path: string; content: string } }[];
  t.same(parsed[0], { key: "header", value: { summary: "s", description: "" } });
  const sent = [...files, big];
  t.equal(parsed.length, sent.length + 1);
  let same = 0;
  sent.forEach((op, i) => {
    const line = parsed[i + 1];
    if (line?.value.path === op.path && Buffer.from(line.value.content, "base64").equals(op.content)) same++;
  });
  t.equal(same, sent.length, "every file's bytes round-trip through base64");
});

t.test("preupload: body, revision encoded once, empty files forced regular, request order", async (t) => {
  const { server, client } = await setup(t);
  server.handle((_req, res) =>
    json(res, 200, {
      files: [
        { path: "b.bin", uploadMode: "lfs", shouldIgnore: false, oid: OID },
        { path: "empty.bin", uploadMode: "lfs", shouldIgnore: false },
        { path: "a.txt", uploadMode: "regular", shouldIgnore: true },
      ],
      commitOid: "d".repeat(40),
    }),
  );
  const answers = await client.preupload(
    { type: "space", id: "alice/sp" },
    "refs/pr/1",
    [
      { path: "a.txt", sample: "SGVsbG8sIFdvcmxkIQ==", size: 13 },
      { path: "b.bin", sample: "AAAA", size: 3 },
      { path: "empty.bin", sample: "", size: 0 },
    ],
    { gitIgnore: "*.log\n" },
  );
  t.same(answers, [
    { path: "a.txt", uploadMode: "regular", shouldIgnore: true, oid: null },
    { path: "b.bin", uploadMode: "lfs", shouldIgnore: false, oid: OID },
    { path: "empty.bin", uploadMode: "regular", shouldIgnore: false, oid: null },
  ]);
  const req = only(server.requests);
  t.equal(req.url, "/api/spaces/alice/sp/preupload/refs%2Fpr%2F1");
  t.equal(req.headers["content-type"], "application/json");
  t.equal(req.headers.authorization, `Bearer ${TOKEN}`);
  t.same(JSON.parse(req.body.toString()), {
    files: [
      { path: "a.txt", sample: "SGVsbG8sIFdvcmxkIQ==", size: 13 },
      { path: "b.bin", sample: "AAAA", size: 3 },
      { path: "empty.bin", sample: "", size: 0 },
    ],
    gitIgnore: "*.log\n",
  });
});

t.test(
  "preupload: more than 100 files is a programming error; a missing answer is ERR_HUB_PROTOCOL",
  async (t) => {
    const { server, client } = await setup(t);
    const repo = { type: "model" as const, id: "alice/m" };
    const many = Array.from({ length: 101 }, (_, i) => ({ path: `f${i}`, sample: "", size: 1 }));
    await t.rejects(client.preupload(repo, "main", many), { code: "ERR_INTERNAL" });
    t.equal(server.requests.length, 0, "nothing was sent");
    server.handle((_req, res) => json(res, 200, { files: [{ path: "x", uploadMode: "regular" }] }));
    await t.rejects(client.preupload(repo, "main", [{ path: "x", sample: "", size: 1 }]), {
      code: "ERR_HUB_PROTOCOL",
      message: /shouldIgnore/,
    });
    server.handle((_req, res) => json(res, 200, { files: [] }));
    await t.rejects(client.preupload(repo, "main", [{ path: "x", sample: "", size: 1 }]), {
      code: "ERR_HUB_PROTOCOL",
      message: /no answer for "x"/,
    });
  },
);

t.test("LFS batch: URL prefix, git-lfs headers, body with raw ref, every answer kind", async (t) => {
  const { server, client } = await setup(t);
  const partKeys = Array.from({ length: 10 }, (_, i) => String(i + 1).padStart(5, "0"));
  // Keys deliberately out of order: "00010" must sort after "00009", not after "00001".
  const multipartHeader: Record<string, string> = { chunk_size: "5" };
  for (const key of [...partKeys].reverse()) multipartHeader[key] = `${server.url}/part/${Number(key)}?sig=x`;
  server.handle((_req, res) =>
    json(res, 200, {
      transfer: "basic",
      objects: [
        { oid: oid(1), size: 1 },
        {
          oid: oid(2),
          size: 2,
          authenticated: true,
          actions: {
            upload: {
              href: `${server.url}/put/2?sig=y`,
              header: { "x-amz-acl": "private" },
              expires_in: 3600,
            },
            verify: { href: `${server.url}/verify`, header: { "x-verify": "v" } },
          },
        },
        {
          oid: oid(3),
          size: 48,
          actions: { upload: { href: `${server.url}/complete?sig=z`, header: multipartHeader } },
        },
        { oid: oid(4), size: 4, error: { code: 422, message: "bad object" } },
      ],
    }),
  );
  const before = Date.now();
  const answers = await client.lfsBatch({ type: "dataset", id: "alice/ds" }, "refs/pr/1", [
    { oid: oid(1), size: 1 },
    { oid: oid(2), size: 2 },
    { oid: oid(3), size: 48 },
    { oid: oid(4), size: 4 },
    { oid: oid(1), size: 1 },
  ]);
  const req = only(server.requests);
  t.equal(req.url, "/datasets/alice/ds.git/info/lfs/objects/batch");
  t.equal(req.headers["content-type"], "application/vnd.git-lfs+json");
  t.equal(req.headers.accept, "application/vnd.git-lfs+json");
  t.equal(req.headers.authorization, `Bearer ${TOKEN}`);
  t.same(JSON.parse(req.body.toString()), {
    operation: "upload",
    transfers: ["basic", "multipart"],
    objects: [1, 2, 3, 4, 1].map((n) => ({ oid: oid(n), size: n === 3 ? 48 : n })),
    hash_algo: "sha256",
    ref: { name: "refs/pr/1" },
  });
  t.equal(answers.length, 5, "one answer per requested oid, duplicates included");
  t.same(answers[0], { kind: "stored", oid: oid(1), size: 1 });
  t.same(answers[4], answers[0]);
  const basic = answers[1];
  t.equal(basic?.kind, "basic");
  if (basic?.kind === "basic") {
    t.equal(basic.uploadUrl, `${server.url}/put/2?sig=y`);
    t.same(basic.header, { "x-amz-acl": "private" });
    t.ok(basic.expiresAt !== null && basic.expiresAt >= before + 3600_000);
    t.same(basic.verify, { href: `${server.url}/verify`, header: { "x-verify": "v" } });
  }
  const multi = answers[2];
  t.equal(multi?.kind, "multipart");
  if (multi?.kind === "multipart") {
    t.equal(multi.chunkSize, 5);
    t.equal(multi.completionUrl, `${server.url}/complete?sig=z`);
    t.same(
      multi.partUrls,
      partKeys.map((k) => `${server.url}/part/${Number(k)}?sig=x`),
    );
    t.equal(multi.expiresAt, null);
  }
  t.same(answers[3], { kind: "error", oid: oid(4), size: 4, code: 422, message: "bad object" });
});

t.test("LFS batch: a model repo has no URL prefix; numeric chunk_size is accepted", async (t) => {
  const { server, client } = await setup(t);
  server.handle((_req, res) =>
    json(res, 200, {
      objects: [
        {
          oid: oid(9),
          size: 7,
          actions: { upload: { href: "c", header: { chunk_size: 4, "1": "p1", "2": "p2" } } },
        },
      ],
    }),
  );
  const [answer] = await client.lfsBatch({ type: "model", id: "alice/m" }, "main", [
    { oid: oid(9), size: 7 },
  ]);
  t.equal(only(server.requests).url, "/alice/m.git/info/lfs/objects/batch");
  t.same(answer, {
    kind: "multipart",
    oid: oid(9),
    size: 7,
    chunkSize: 4,
    partUrls: ["p1", "p2"],
    completionUrl: "c",
    expiresAt: null,
    verify: null,
  });
});

t.test("LFS batch: a wrong part count or a missing object is ERR_HUB_PROTOCOL", async (t) => {
  const { server, client } = await setup(t);
  const repo = { type: "model" as const, id: "alice/m" };
  server.handle((_req, res) =>
    json(res, 200, {
      objects: [
        {
          oid: oid(5),
          size: 11,
          actions: { upload: { href: "c", header: { chunk_size: "5", "00001": "a", "00002": "b" } } },
        },
      ],
    }),
  );
  await t.rejects(client.lfsBatch(repo, "main", [{ oid: oid(5), size: 11 }]), {
    code: "ERR_HUB_PROTOCOL",
    message: /2 part URLs .* \(expected 3\)/,
  });
  server.handle((_req, res) => json(res, 200, { objects: [] }));
  await t.rejects(client.lfsBatch(repo, "main", [{ oid: oid(5), size: 11 }]), { code: "ERR_HUB_PROTOCOL" });
  await t.rejects(
    client.lfsBatch(
      repo,
      "main",
      Array.from({ length: 101 }, (_, i) => ({ oid: oid(i), size: 1 })),
    ),
    {
      code: "ERR_INTERNAL",
    },
  );
});

t.test("putUpload: no Authorization even on the Hub's host, Content-Length, ETag verbatim", async (t) => {
  const { server, client } = await setup(t);
  server.handle((_req, res) => {
    res.writeHead(200, { etag: '"9b2cf535f27731c974343645a3985328"' });
    res.end();
  });
  const dir = t.testdir();
  const file = path.join(dir, "blob.bin");
  const content = randomBytes(300_000);
  await writeFile(file, content);
  const streamed = await client.putUpload(`${server.url}/presigned/put?X-Amz-Signature=abc`, {
    body: createReadStream(file),
    length: content.length,
    header: { "x-amz-acl": "private" },
  });
  t.same(streamed, { etag: '"9b2cf535f27731c974343645a3985328"' });
  const part = await client.putUpload(`${server.url}/presigned/part?n=1`, {
    body: Buffer.from("part"),
    length: 4,
  });
  t.equal(part.etag, '"9b2cf535f27731c974343645a3985328"');
  const [first, second] = server.requests;
  t.equal(first?.method, "PUT");
  t.equal(first?.url, "/presigned/put?X-Amz-Signature=abc");
  t.equal(first?.headers.authorization, undefined, "no Authorization on a presigned URL");
  t.notMatch(String(first?.headers["user-agent"]), /hubpush/, "no Hub headers on a presigned URL");
  t.equal(first?.headers["content-length"], String(content.length));
  t.equal(first?.headers["x-amz-acl"], "private");
  t.ok(first?.body.equals(content), "the file's bytes arrived");
  t.equal(second?.headers.authorization, undefined);
  t.equal(second?.headers["content-length"], "4");
  t.equal(second?.body.toString(), "part");
});

t.test("putUpload: a missing ETag is null", async (t) => {
  const { server, client } = await setup(t);
  server.handle((_req, res) => {
    res.end();
  });
  t.same(await client.putUpload(`${server.url}/p`, { body: Buffer.from("x"), length: 1 }), { etag: null });
});

t.test("completeMultipart: git-lfs JSON, parts sorted, no Authorization", async (t) => {
  const { server, client } = await setup(t);
  server.handle((_req, res) => json(res, 200, {}));
  await client.completeMultipart(`${server.url}/api/complete_multipart?uploadId=1&sig=s`, OID, [
    { partNumber: 2, etag: '"e2"' },
    { partNumber: 1, etag: '"e1"' },
  ]);
  const req = only(server.requests);
  t.equal(req.method, "POST");
  t.equal(req.url, "/api/complete_multipart?uploadId=1&sig=s");
  t.equal(req.headers.authorization, undefined);
  t.equal(req.headers["content-type"], "application/vnd.git-lfs+json");
  t.equal(req.headers.accept, "application/vnd.git-lfs+json");
  t.equal(
    req.body.toString(),
    `{"oid":"${OID}","parts":[{"partNumber":1,"etag":"\\"e1\\""},{"partNumber":2,"etag":"\\"e2\\""}]}`,
  );
});

t.test("verifyLfs: JSON with Hub auth and the action's headers", async (t) => {
  const { server, client } = await setup(t);
  server.handle((_req, res) => json(res, 200, {}));
  await client.verifyLfs(
    { href: `${server.url}/alice/m.git/info/lfs/objects/verify`, header: { "x-v": "1" } },
    OID,
    13,
  );
  const req = only(server.requests);
  t.equal(req.headers.authorization, `Bearer ${TOKEN}`);
  t.equal(req.headers["content-type"], "application/json");
  t.equal(req.headers["x-v"], "1");
  t.same(JSON.parse(req.body.toString()), { oid: OID, size: 13 });
});

t.test("createRepo, repoInfo, whoami, pathsInfo: URLs, bodies, answers", async (t) => {
  const { server, client } = await setup(t);
  const repo = { type: "dataset" as const, id: "alice/ds" };
  server.handle((req, res) => {
    if (req.url === "/api/repos/create")
      return json(res, 200, { url: `${server.url}/datasets/alice/ds`, name: "alice/ds" });
    if (req.url === "/api/datasets/alice/ds/revision/refs%2Fpr%2F1") {
      return json(res, 200, { id: "alice/ds", sha: "e".repeat(40), private: true });
    }
    if (req.url === "/api/whoami-v2") return json(res, 200, { name: "alice", type: "user" });
    if (req.url === "/api/datasets/alice/ds/paths-info/main") {
      return json(res, 200, [
        { type: "file", path: "a.txt", oid: "b45ef6fec89518d314f546fd6c3025367b721684", size: 13 },
        {
          type: "file",
          path: "w/model.bin",
          oid: "7b881e04125f228c1be92cb44b549fd1e9d1d84a",
          size: 13,
          lfs: { oid: OID, size: 13, pointerSize: 127 },
        },
        { type: "directory", path: "w", oid: "f".repeat(40) },
      ]);
    }
    return json(res, 404, { error: "unexpected" });
  });
  t.same(await client.createRepo(repo, { private: true, existOk: false }), {
    url: `${server.url}/datasets/alice/ds`,
  });
  t.same(await client.repoInfo(repo, "refs/pr/1"), { id: "alice/ds", sha: "e".repeat(40), private: true });
  t.same(await client.whoami(), { name: "alice" });
  t.same(await client.pathsInfo(repo, "main", ["a.txt", "w/model.bin", "w", "missing"]), [
    { path: "a.txt", type: "file", oid: "b45ef6fec89518d314f546fd6c3025367b721684", size: 13, lfs: null },
    {
      path: "w/model.bin",
      type: "file",
      oid: "7b881e04125f228c1be92cb44b549fd1e9d1d84a",
      size: 13,
      lfs: { oid: OID, size: 13 },
    },
    { path: "w", type: "directory", oid: "f".repeat(40), size: 0, lfs: null },
  ]);
  const [create, info, who, paths] = server.requests;
  t.same(JSON.parse(String(create?.body)), {
    name: "ds",
    organization: "alice",
    type: "dataset",
    private: true,
  });
  t.equal(info?.method, "GET");
  t.equal(who?.headers.authorization, `Bearer ${TOKEN}`);
  t.same(JSON.parse(String(paths?.body)), { paths: ["a.txt", "w/model.bin", "w", "missing"], expand: false });
  await t.rejects(
    client.pathsInfo(
      repo,
      "main",
      Array.from({ length: 1001 }, (_, i) => `p${i}`),
    ),
    {
      code: "ERR_INTERNAL",
    },
  );
  t.equal(server.requests.length, 4);
});

t.test("createRepo: existOk turns a 409 into success with the url of its body", async (t) => {
  const { server, client } = await setup(t);
  const repo = { type: "model" as const, id: "alice/m" };
  server.handle((_req, res) =>
    json(res, 409, { error: "You already created this model repo", url: `${server.url}/alice/m` }),
  );
  t.same(await client.createRepo(repo, { private: false, existOk: true }), { url: `${server.url}/alice/m` });
  const err = await client.createRepo(repo, { private: false, existOk: false }).catch((e: unknown) => e);
  t.ok(err instanceof HubError);
  t.match(err, { code: "ERR_HUB_CONFLICT", status: 409, retryable: false, message: /already created/ });
});

t.test("createRepo: a 409 'operation in progress' is retryable, never success (issue 12 §7)", async (t) => {
  const { server, client } = await setup(t);
  const repo = { type: "model" as const, id: "alice/busy" };
  server.handle((_req, res) =>
    json(res, 409, {
      error: "Cannot create repo: another conflicting operation is in progress",
      url: `${server.url}/alice/busy`,
    }),
  );
  const err = await client.createRepo(repo, { existOk: true }).catch((e: unknown) => e);
  t.ok(err instanceof HubError, "not taken as 'already exists'");
  t.match(err, { code: "ERR_HUB_CONFLICT", status: 409, retryable: true, message: /in progress/ });
});

t.test("createRepo: existOk and a 403 succeed when the repo can be seen, else the 403 stays", async (t) => {
  const { server, client } = await setup(t);
  const repo = { type: "space" as const, id: "org/sp" };
  server.handle((req, res) => {
    if (req.url === "/api/repos/create") return json(res, 403, { error: "You cannot create repos in org" });
    if (req.url === "/api/spaces/org/sp") return json(res, 200, { id: "org/sp" });
    return json(res, 404, { error: "nope" });
  });
  t.same(await client.createRepo(repo, { private: false, existOk: true }), {
    url: `${server.url}/spaces/org/sp`,
  });
  const other = { type: "space" as const, id: "org/other" };
  const err = await client.createRepo(other, { private: false, existOk: true }).catch((e: unknown) => e);
  t.match(err, { code: "ERR_HUB_FORBIDDEN", status: 403 });
  t.same(
    server.requests.map((r) => `${r.method} ${r.url}`),
    [
      "POST /api/repos/create",
      "GET /api/spaces/org/sp",
      "POST /api/repos/create",
      "GET /api/spaces/org/other",
    ],
  );
});

t.test("a token that cannot be read is reported as such, before any request", async (t) => {
  const { server } = await setup(t);
  const client = new UndiciHubClient({
    endpoint: server.url,
    token: async () => {
      throw new Error("no token in HF_TOKEN or ~/.cache/huggingface/token");
    },
  });
  t.teardown(() => client.close());
  await t.rejects(client.whoami(), { code: "ERR_TOKEN_MISSING" });
  t.equal(server.requests.length, 0);
});

t.test(
  "LFS batch: transfer xet that was not asked for falls back to the actions (issue 12 §7)",
  async (t) => {
    const { server, client } = await setup(t);
    server.handle((_req, res) =>
      json(res, 200, {
        transfer: "xet",
        objects: [
          { oid: oid(1), size: 1, actions: { upload: { href: `${server.url}/put/1` } } },
          { oid: oid(2), size: 2 },
          { oid: oid(3), size: 3, transfer: "xet", actions: { verify: { href: `${server.url}/v` } } },
        ],
      }),
    );
    const answers = await client.lfsBatch({ type: "model", id: "alice/m" }, "main", [
      { oid: oid(1), size: 1 },
      { oid: oid(2), size: 2 },
      { oid: oid(3), size: 3 },
    ]);
    t.equal(answers[0]?.kind, "basic", "the object's basic action is used");
    for (const i of [1, 2]) {
      const answer = answers[i];
      t.equal(answer?.kind, "error", `object ${i + 1}: no usable action → that file fails, not the batch`);
      if (answer?.kind === "error")
        t.match(answer.message, /transfer "xet" and no basic or multipart upload action/);
    }
  },
);

t.test("LFS batch offering xet: transfers list, X-Xet-* headers parsed, no action = stored", async (t) => {
  const { server, client } = await setup(t);
  server.handle((_req, res) =>
    json(res, 200, {
      transfer: "xet",
      objects: [
        {
          oid: oid(1),
          size: 1,
          actions: {
            upload: {
              href: `${server.url}/api/models/alice/m/xet-write-token/main`,
              header: {
                "X-Xet-Cas-Url": "http://cas.example",
                "X-Xet-Access-Token": "xet_abc",
                "X-Xet-Token-Expiration": "2000000000",
                "X-Xet-Session-Id": "s1",
              },
            },
          },
        },
        { oid: oid(2), size: 2 },
      ],
    }),
  );
  const answers = await client.lfsBatch(
    { type: "model", id: "alice/m" },
    "main",
    [
      { oid: oid(1), size: 1 },
      { oid: oid(2), size: 2 },
    ],
    undefined,
    { offerXet: true },
  );
  const body = JSON.parse(only(server.requests).body.toString("utf8")) as { transfers: string[] };
  t.same(body.transfers, ["basic", "multipart", "xet"], "xet is offered");
  t.same(answers[0], {
    kind: "xet",
    oid: oid(1),
    size: 1,
    refreshUrl: `${server.url}/api/models/alice/m/xet-write-token/main`,
    token: { casUrl: "http://cas.example", accessToken: "xet_abc", expiresAt: 2_000_000_000_000 },
    sessionId: "s1",
  });
  t.same(answers[1], { kind: "stored", oid: oid(2), size: 2 }, "offered xet, no action: already stored");
});

t.test("Xet CAS calls: the Xet token as bearer, never the HF token; 400 keeps the CAS's words", async (t) => {
  const { server, client } = await setup(t);
  server.handle((req, res) => {
    if (req.url?.startsWith("/v1/xorbs/")) return json(res, 400, { error: "chunk 3 is corrupt" });
    return json(res, 200, { result: 1 });
  });
  const token = { casUrl: server.url, accessToken: "xet_tok", expiresAt: Date.now() + 3_600_000 };
  await client.xet.uploadShard(token, new Uint8Array([1, 2, 3]));
  await t.rejects(client.xet.uploadXorb(token, "ab".repeat(32), new Uint8Array([9])), {
    code: "ERR_XET_CAS_REJECTED",
    message: /400: chunk 3 is corrupt/,
  });
  for (const r of server.requests) {
    t.equal(r.headers.authorization, "Bearer xet_tok", `${r.url}: the Xet token`);
    t.notOk(JSON.stringify(r.headers).includes(TOKEN), `${r.url}: no HF token`);
  }
});
