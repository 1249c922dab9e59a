import t from "tap";
import {
  ALICE_TOKEN,
  assertRefused,
  type CommitLine,
  commit,
  createRepo,
  fileLine,
  header,
  http,
  lfsBatch,
  lfsLine,
  planFor,
  READ_TOKEN,
  sha256,
  startTestEmulator,
  uploadLfs,
} from "./helpers.js";

// Refusals of malformed or forbidden requests: status + X-Error-Code, as in docs/emulator.md.
const emu = await startTestEmulator(t, {
  regularMaxBytes: 4096,
  multipartThresholdBytes: 1024,
  multipartChunkBytes: 512,
});
const base = emu.url;
const REPO = "models/user/strict";
await createRepo(base, "user/strict");
const seed = await commit(base, REPO, [header("seed"), fileLine("keep.txt", "keep me")]);
const hello = Buffer.from("Hello, World!");
await uploadLfs(base, "user/strict", hello);

t.test("upload URLs", async (t) => {
  t.test("PUT with a wrong sha256 is refused and nothing is stored", async (t) => {
    const content = Buffer.from("real content");
    const plan = await planFor(base, "user/strict", content);
    const res = await http(base, plan.href, {
      method: "PUT",
      token: null,
      body: Buffer.from("fake content"),
    });
    assertRefused(t, res, 400, "ChecksumMismatch");
    const again = await lfsBatch(base, "user/strict", [{ oid: sha256(content), size: content.length }]);
    t.ok(again.json<{ objects: { actions?: unknown }[] }>().objects[0]?.actions, "object still needs upload");
  });

  t.test("PUT with a wrong size is refused", async (t) => {
    const content = Buffer.from("twelve bytes");
    const plan = await planFor(base, "user/strict", content);
    const res = await http(base, plan.href, { method: "PUT", token: null, body: content.subarray(0, 5) });
    assertRefused(t, res, 400, "SizeMismatch");
  });

  t.test("a tampered URL (exp changed) is refused with 403", async (t) => {
    const plan = await planFor(base, "user/strict", Buffer.from("tamper"));
    const url = new URL(plan.href);
    url.searchParams.set("exp", String(Number(url.searchParams.get("exp")) + 3600));
    const res = await http(base, url.toString(), { method: "PUT", token: null, body: Buffer.from("tamper") });
    assertRefused(t, res, 403, "SignatureDoesNotMatch");
  });

  t.test("a URL for another object (oid swapped in the path) is refused with 403", async (t) => {
    const plan = await planFor(base, "user/strict", Buffer.from("swap"));
    const other = sha256("other");
    const href = plan.href.replace(sha256("swap"), other);
    const res = await http(base, href, { method: "PUT", token: null, body: Buffer.from("other") });
    assertRefused(t, res, 403, "SignatureDoesNotMatch");
  });

  t.test("an expired URL is refused with 403", async (t) => {
    const short = await startTestEmulator(t, { uploadUrlTtlSeconds: 1 });
    await createRepo(short.url, "user/ttl");
    const content = Buffer.from("expires");
    const plan = await planFor(short.url, "user/ttl", content);
    // Correctness, not timing: the URL carries a 1 s expiry; wait until it is certainly past.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const res = await http(short.url, plan.href, { method: "PUT", token: null, body: content });
    assertRefused(t, res, 403, "RequestExpired");
  });
});

t.test("multipart completion", async (t) => {
  const content = Buffer.alloc(1300, 7);
  const plan = await planFor(base, "user/strict", content);
  const keys = Object.keys(plan.header ?? {}).filter((k) => k !== "chunk_size");
  const etags: string[] = [];
  for (const [i, key] of keys.entries()) {
    const res = await http(base, plan.header?.[key] ?? "", {
      method: "PUT",
      token: null,
      body: content.subarray(i * 512, (i + 1) * 512),
    });
    t.equal(res.status, 200);
    etags.push(res.headers.etag ?? "");
  }
  const complete = (parts: unknown[]) =>
    http(base, plan.href, {
      token: null,
      headers: { "content-type": "application/vnd.git-lfs+json" },
      json: { oid: sha256(content), parts },
    });
  const all = etags.map((etag, i) => ({ partNumber: i + 1, etag }));

  t.test("a part of the wrong size is refused", async (t) => {
    const res = await http(base, plan.header?.["00001"] ?? "", {
      method: "PUT",
      token: null,
      body: Buffer.alloc(100),
    });
    assertRefused(t, res, 400, "InvalidPartSize");
  });
  t.test("part count mismatch", async (t) => {
    assertRefused(t, await complete(all.slice(0, 2)), 400, "InvalidPartCount");
  });
  t.test("a part listed without its ETag", async (t) => {
    assertRefused(t, await complete([all[0], { partNumber: 2 }, all[2]]), 400, "MissingEtag");
  });
  t.test("a wrong ETag", async (t) => {
    assertRefused(
      t,
      await complete([all[0], { partNumber: 2, etag: '"0000"' }, all[2]]),
      400,
      "EtagMismatch",
    );
  });
  t.test("then the right completion succeeds, and is idempotent", async (t) => {
    t.equal((await complete(all)).status, 200);
    t.equal((await complete(all)).status, 200, "a retried completion is still 200");
  });
});

t.test("a completion for parts never uploaded is refused", async (t) => {
  const content = Buffer.alloc(1100, 3);
  const plan = await planFor(base, "user/strict", content);
  const res = await http(base, plan.href, {
    token: null,
    json: { oid: sha256(content), parts: [1, 2, 3].map((n) => ({ partNumber: n, etag: '"x"' })) },
  });
  assertRefused(t, res, 400, "MissingPart");
});

t.test("commit bodies", async (t) => {
  const missing = Buffer.from("never uploaded");
  const cases: [string, (string | CommitLine)[], number, string][] = [
    ["lfsFile whose object is missing", [header(), lfsLine("m.bin", missing)], 400, "LfsObjectNotFound"],
    [
      "lfsFile with the wrong size",
      [header(), { key: "lfsFile", value: { path: "w.bin", algo: "sha256", oid: sha256(hello), size: 14 } }],
      400,
      "LfsSizeMismatch",
    ],
    [
      "bad base64",
      [header(), { key: "file", value: { path: "b.txt", content: "not base64!!", encoding: "base64" } }],
      400,
      "InvalidBase64",
    ],
    ["header not first", [fileLine("a.txt", "a"), header()], 400, "HeaderNotFirst"],
    ["empty summary", [header("  "), fileLine("a.txt", "a")], 400, "EmptySummary"],
    ["unknown line key", [header(), '{"key":"copyFile","value":{"path":"x"}}'], 400, "UnknownOperation"],
    ["a line that is not JSON", [header(), "{not json"], 400, "InvalidNdjson"],
    ["oversized regular file", [header(), fileLine("big.txt", "x".repeat(5000))], 400, "FileTooLarge"],
    ["a path with ..", [header(), fileLine("a/../b.txt", "x")], 400, "InvalidPath"],
    ["a path with a .git component", [header(), fileLine(".git/config", "x")], 400, "InvalidPath"],
    ["a path with a leading /", [header(), fileLine("/abs.txt", "x")], 400, "InvalidPath"],
    [
      "deleting a missing file",
      [header(), { key: "deletedFile", value: { path: "nope.txt" } }],
      404,
      "EntryNotFound",
    ],
    ["an empty body", [], 400, "HeaderNotFirst"],
  ];
  for (const [name, lines, status, code] of cases) {
    t.test(name, async (t) => {
      assertRefused(t, await commit(base, REPO, lines), status, code);
    });
  }
});

t.test("a refused commit is atomic: nothing of it lands", async (t) => {
  const res = await commit(base, REPO, [
    header(),
    fileLine("partial.txt", "x"),
    { key: "deletedFile", value: { path: "missing.txt" } },
  ]);
  assertRefused(t, res, 404, "EntryNotFound", /doesn't exist/);
  const info = await http(base, "/api/models/user/strict/paths-info/main", {
    json: { paths: ["partial.txt"] },
  });
  t.same(info.json(), [], "partial.txt was not committed");
});

t.test("parentCommit mismatch is 412 with the Hub's message", async (t) => {
  const res = await commit(base, REPO, [
    header("stale", { parentCommit: "0".repeat(40) }),
    fileLine("p.txt", "p"),
  ]);
  assertRefused(
    t,
    res,
    412,
    "ParentCommitMismatch",
    /^A commit has happened since\. Please refresh and try again\.$/,
  );
  const ok = await commit(base, REPO, [
    header("fresh", { parentCommit: seed.json<{ commitOid: string }>().commitOid }),
    fileLine("p.txt", "p"),
  ]);
  t.equal(ok.status, 200, "the current head as parentCommit is accepted");
});

t.test("revisions", async (t) => {
  t.test("a double-encoded revision is decoded once only", async (t) => {
    const res = await http(base, "/api/models/user/strict/revision/refs%252Fpr%252F1");
    assertRefused(t, res, 404, "RevisionNotFound", /^Invalid rev id: refs%2Fpr%2F1$/);
  });
  t.test("a missing revision", async (t) => {
    assertRefused(t, await http(base, "/api/models/user/strict/tree/nobranch"), 404, "RevisionNotFound");
  });
  t.test("a commit to a commit id (not a branch)", async (t) => {
    const head = seed.json<{ commitOid: string }>().commitOid;
    assertRefused(
      t,
      await commit(base, REPO, [header(), fileLine("c.txt", "c")], { rev: head }),
      404,
      "RevisionNotFound",
    );
  });
  t.test("an LFS batch whose ref names a missing branch", async (t) => {
    const res = await lfsBatch(base, "user/strict", [{ oid: sha256("q"), size: 1 }], {
      ref: { name: "ghost" },
    });
    assertRefused(t, res, 404, "RevisionNotFound");
  });
});

t.test("repos and auth", async (t) => {
  t.test("bad repo id on create", async (t) => {
    for (const name of ["bad--name", "-lead", "trail.", "has space", "x".repeat(97), "end.git", "a..b"]) {
      assertRefused(
        t,
        await http(base, "/api/repos/create", { json: { name, organization: "user" } }),
        400,
        "InvalidRepoName",
      );
    }
  });
  t.test("create twice is 409 and still carries url", async (t) => {
    const res = await createRepo(base, "user/strict");
    assertRefused(t, res, 409, "RepoExists");
    t.equal(res.json<{ url: string }>().url, `${base}/user/strict`);
  });
  t.test("a missing repo", async (t) => {
    assertRefused(t, await http(base, "/api/models/user/ghost"), 404, "RepoNotFound");
    assertRefused(t, await http(base, "/api/models/user/ghost", { token: null }), 401, "RepoNotFound");
    assertRefused(
      t,
      await commit(base, "models/user/ghost", [header(), fileLine("a", "a")]),
      404,
      "RepoNotFound",
    );
  });
  t.test("no token on a write", async (t) => {
    assertRefused(
      t,
      await commit(base, REPO, [header(), fileLine("a", "a")], { token: null }),
      401,
      "RepoNotFound",
    );
  });
  t.test("a bad token", async (t) => {
    const res = await commit(base, REPO, [header(), fileLine("a", "a")], { token: "hf_unknown" });
    t.equal(res.status, 401);
    t.equal(res.headers["x-error-message"], "Invalid credentials in Authorization header");
  });
  t.test("a read-only token writing", async (t) => {
    assertRefused(
      t,
      await commit(base, REPO, [header(), fileLine("a", "a")], { token: READ_TOKEN }),
      403,
      "Forbidden",
    );
    const batch = await lfsBatch(base, "user/strict", [{ oid: sha256("r"), size: 1 }], {}, READ_TOKEN);
    assertRefused(t, batch, 403, "Forbidden");
  });
  t.test("another user's namespace", async (t) => {
    assertRefused(
      t,
      await commit(base, REPO, [header(), fileLine("a", "a")], { token: ALICE_TOKEN }),
      403,
      "Forbidden",
    );
    assertRefused(t, await createRepo(base, "user/by-alice", { token: ALICE_TOKEN }), 403, "Forbidden");
  });
  t.test("a private repo of another user is RepoNotFound", async (t) => {
    t.equal((await createRepo(base, "alice/secret", { private: true, token: ALICE_TOKEN })).status, 200);
    assertRefused(t, await http(base, "/api/models/alice/secret"), 404, "RepoNotFound");
    assertRefused(t, await http(base, "/alice/secret/resolve/main/.gitattributes"), 404, "RepoNotFound");
    t.equal(
      (await http(base, "/api/models/alice/secret", { token: ALICE_TOKEN })).status,
      200,
      "owner sees it",
    );
  });
});

t.test("limits and paths", async (t) => {
  t.test("more than 256 preupload paths", async (t) => {
    const files = Array.from({ length: 257 }, (_, i) => ({ path: `f${i}.txt`, sample: "", size: 0 }));
    assertRefused(
      t,
      await http(base, `/api/${REPO}/preupload/main`, { json: { files } }),
      400,
      "TooManyFiles",
    );
  });
  t.test("more than 1000 paths-info paths", async (t) => {
    const paths = Array.from({ length: 1001 }, (_, i) => `p${i}`);
    assertRefused(
      t,
      await http(base, `/api/${REPO}/paths-info/main`, { json: { paths } }),
      413,
      "TooManyPaths",
    );
  });
  t.test("a preupload path with ..", async (t) => {
    const files = [{ path: "../escape.txt", sample: "", size: 1 }];
    assertRefused(
      t,
      await http(base, `/api/${REPO}/preupload/main`, { json: { files } }),
      400,
      "InvalidPath",
    );
  });
  t.test("an invalid oid in an LFS batch is a per-object error inside a 200", async (t) => {
    const res = await lfsBatch(base, "user/strict", [
      { oid: "NOT-A-SHA", size: 3 },
      { oid: sha256("neg"), size: -1 },
    ]);
    t.equal(res.status, 200);
    const objects = res.json<{
      objects: { oid: string; size: number; error?: { code: number }; actions?: unknown }[];
    }>().objects;
    t.equal(objects.length, 2);
    for (const o of objects) {
      t.equal(o.error?.code, 422);
      t.equal(typeof o.oid, "string");
      t.equal(typeof o.size, "number");
      t.notOk("actions" in o);
    }
  });
  t.test("a missing folder in a tree listing", async (t) => {
    assertRefused(t, await http(base, `/api/${REPO}/tree/main/no/such/dir`), 404, "EntryNotFound");
  });
  t.test("a missing file on resolve", async (t) => {
    assertRefused(t, await http(base, "/user/strict/resolve/main/nope.txt"), 404, "EntryNotFound");
  });
  t.test("an unsatisfiable range", async (t) => {
    const res = await http(base, "/user/strict/resolve/main/keep.txt", { headers: { range: "bytes=100-" } });
    assertRefused(t, res, 416, "RangeNotSatisfiable");
    t.equal(res.headers["content-range"], "bytes */7");
  });
  t.test("an unknown route", async (t) => {
    assertRefused(t, await http(base, "/api/nothing/here"), 404, "NotFound");
  });
});

t.test("an early refusal of a large body still arrives intact (the body is drained, not cut)", async (t) => {
  const filler = Array.from({ length: 3000 }, (_, i) =>
    JSON.stringify(fileLine(`bulk/${i}.txt`, "x".repeat(4000))),
  );
  const res = await commit(base, REPO, [fileLine("first.txt", "not a header"), ...filler]);
  assertRefused(t, res, 400, "HeaderNotFirst");
  const content = Buffer.from("small object");
  const plan = await planFor(base, "user/strict", content);
  const oversized = await http(base, plan.href, {
    method: "PUT",
    token: null,
    body: Buffer.alloc(8 * 1024 * 1024, 1),
    headers: { "content-length": String(8 * 1024 * 1024) },
  });
  assertRefused(t, oversized, 400, "SizeMismatch");
  const after = await http(base, "/api/whoami-v2");
  t.equal(after.status, 200, "the server keeps serving");
});
