import t from "tap";
import {
  commit,
  createRepo,
  fileLine,
  gitBlobSha1,
  header,
  http,
  type LfsBatchObject,
  lfsBatch,
  lfsLine,
  sha256,
  startTestEmulator,
  uploadLfs,
} from "./helpers.js";

// Positive checks of the response shapes hub-protocol.md §12 lists.
const emu = await startTestEmulator(t, { multipartThresholdBytes: 1000, multipartChunkBytes: 300 });
const base = emu.url;
const REPO = "models/user/shapes";
await createRepo(base, "user/shapes");
const hello = Buffer.from("Hello, World!");
const LINK_RE = /<(https?:\/\/[^>]+)>;\s+rel="([^"]+)"/;

t.test("LFS batch: multipart plan shape and key order", async (t) => {
  const size = 1000 + 301;
  const res = await lfsBatch(base, "user/shapes", [{ oid: sha256("multipart-shape"), size }]);
  t.equal(res.status, 200);
  t.match(res.headers["content-type"] ?? "", /^application\/vnd\.git-lfs\+json/);
  const body = res.json<{ transfer: string; objects: LfsBatchObject[] }>();
  t.equal(body.transfer, "multipart");
  const upload = body.objects[0]?.actions?.upload;
  t.ok(upload);
  const keys = Object.keys(upload?.header ?? {});
  t.same(
    keys,
    ["chunk_size", "00001", "00002", "00003", "00004", "00005"],
    "only chunk_size + padded part keys, ascending",
  );
  t.equal(upload?.header?.chunk_size, "300", "chunk_size is a string");
  t.equal(keys.length - 1, Math.ceil(size / 300));
  t.ok(upload?.href.startsWith(`${base}/`), "completion href is absolute on the emulator host");
  t.match(upload?.href ?? "", /\/complete\?/);
});

t.test("LFS batch: basic plan, verify action, both hash_algo spellings and no ref", async (t) => {
  for (const extra of [
    { hash_algo: "sha256" },
    { hash_algo: "sha_256" },
    { hash_algo: undefined, ref: undefined },
  ]) {
    const res = await lfsBatch(base, "user/shapes", [{ oid: sha256("basic-shape"), size: 11 }], extra);
    t.equal(res.status, 200, JSON.stringify(extra));
    const body = res.json<{ transfer: string; objects: LfsBatchObject[] }>();
    t.equal(body.transfer, "basic");
    const actions = body.objects[0]?.actions;
    t.notOk(actions?.upload.header?.chunk_size, "no chunk_size on basic");
    t.ok(actions?.upload.href.startsWith(`${base}/`));
    t.equal(actions?.verify?.href, `${base}/user/shapes.git/info/lfs/objects/verify`);
  }
});

t.test("LFS batch: an already-stored object has no actions key, also in a xet answer", async (t) => {
  await uploadLfs(base, "user/shapes", hello);
  const res = await lfsBatch(base, "user/shapes", [{ oid: sha256(hello), size: hello.length }], {
    transfers: ["basic", "multipart", "xet"],
  });
  const body = res.json<{ transfer: string; objects: Record<string, unknown>[] }>();
  // Repos are Xet-enabled by default (issue 15): xet offered → xet answered (--no-xet: never).
  t.equal(body.transfer, "xet");
  t.same(body.objects[0], { oid: sha256(hello), size: 13 });
  t.notOk("actions" in (body.objects[0] ?? {}));
});

t.test("presigned URLs need no Authorization and ignore a bogus one", async (t) => {
  const content = Buffer.from("presigned");
  const plan = await lfsBatch(base, "user/shapes", [{ oid: sha256(content), size: content.length }]);
  const href = plan.json<{ objects: LfsBatchObject[] }>().objects[0]?.actions?.upload.href ?? "";
  const res = await http(base, href, { method: "PUT", token: "hf_bogus_ignored", body: content });
  t.equal(res.status, 200);
  t.ok(res.headers.etag);
});

t.test("multipart parts answer a quoted ETag; completion stores the object", async (t) => {
  const content = Buffer.alloc(1234, 9);
  const oid = await uploadLfs(base, "user/shapes", content);
  const again = await lfsBatch(base, "user/shapes", [{ oid, size: content.length }]);
  t.notOk(again.json<{ objects: LfsBatchObject[] }>().objects[0]?.actions, "stored after completion");
  const c = await commit(base, REPO, [header("mp"), lfsLine("mp.bin", content)]);
  t.equal(c.status, 200);
  const dl = await http(base, "/user/shapes/resolve/main/mp.bin");
  t.ok(dl.body.equals(content), "downloaded bytes identical");
});

t.test("commit response, tree entries, oids and .gitattributes", async (t) => {
  const res = await commit(base, REPO, [
    header("shapes"),
    fileLine("hello.txt", hello),
    lfsLine("nested/hello.weights", hello),
    lfsLine("covered.bin", hello),
  ]);
  t.equal(res.status, 200);
  const body = res.json<Record<string, unknown>>();
  t.match(String(body.commitOid), /^[0-9a-f]{40}$/);
  t.equal(body.success, true);
  t.equal(body.commitUrl, `${base}/user/shapes/commit/${body.commitOid}`);
  t.equal(body.hookOutput, "");
  t.notOk("pullRequestUrl" in body, "no pullRequestUrl without create_pr");

  const info = await http(base, `/api/${REPO}/paths-info/main`, {
    json: { paths: ["hello.txt", "nested/hello.weights", "nested", "absent"] },
  });
  const [regular, lfs, dir, ...rest] = info.json<Record<string, unknown>[]>();
  t.same(regular, { type: "file", oid: gitBlobSha1(hello), size: 13, path: "hello.txt" });
  t.equal(gitBlobSha1(hello), "b45ef6fec89518d314f546fd6c3025367b721684");
  t.same(lfs, {
    type: "file",
    oid: "7b881e04125f228c1be92cb44b549fd1e9d1d84a",
    size: 13,
    path: "nested/hello.weights",
    lfs: {
      oid: "dffd6021bb2bd5b0af676290809ec3a53191dd81c7f70a4b28688a362182986f",
      size: 13,
      pointerSize: 127,
    },
  });
  t.equal(dir?.type, "directory");
  t.equal(typeof dir?.oid, "string");
  t.same(rest, [], "absent path omitted");

  const attrs = (await http(base, "/user/shapes/resolve/main/.gitattributes")).text;
  t.ok(
    attrs.endsWith("nested/hello.weights filter=lfs diff=lfs merge=lfs -text\n"),
    "uncovered LFS path appended",
  );
  t.notMatch(attrs, /^covered\.bin /m, "a path covered by *.bin is not appended");
});

t.test("paths-info accepts the form encoding", async (t) => {
  const res = await http(base, `/api/${REPO}/paths-info/main`, {
    body: "paths=hello.txt&paths=nested%2Fhello.weights&expand=true",
    headers: { "content-type": "application/x-www-form-urlencoded" },
  });
  const entries = res.json<{ path: string; lastCommit?: { id: string } }[]>();
  t.same(
    entries.map((e) => e.path),
    ["hello.txt", "nested/hello.weights"],
  );
  t.match(entries[0]?.lastCommit?.id ?? "", /^[0-9a-f]{40}$/, "expand adds lastCommit");
});

t.test("preupload: modes, shouldIgnore, oids of existing paths", async (t) => {
  const nul = Buffer.from([1, 0, 2]).toString("base64");
  const res = await http(base, `/api/${REPO}/preupload/main`, {
    json: {
      files: [
        { path: "hello.txt", sample: hello.toString("base64"), size: 13 },
        { path: "nested/hello.weights", sample: "", size: 13 },
        { path: "new.bin", sample: "", size: 5 },
        { path: "huge.txt", sample: "", size: 11 * 1024 * 1024 },
        { path: "binary.dat", sample: nul, size: 2_000_000 },
        { path: "small-binary.dat", sample: nul, size: 10 },
        { path: "logs/x.log", sample: "", size: 1 },
        { path: "ünïcode name.txt", sample: "", size: 1 },
      ],
      gitIgnore: "logs/\n",
    },
  });
  t.equal(res.status, 200);
  const files = res.json<{ files: Record<string, unknown>[] }>().files;
  const by = new Map(files.map((f) => [f.path, f]));
  t.equal(files.length, 8, "every path echoed");
  t.ok(by.has("ünïcode name.txt"), "path echoed byte-identically");
  t.same(by.get("hello.txt"), {
    path: "hello.txt",
    uploadMode: "regular",
    shouldIgnore: false,
    oid: gitBlobSha1(hello),
  });
  t.same(by.get("nested/hello.weights"), {
    path: "nested/hello.weights",
    uploadMode: "lfs",
    shouldIgnore: false,
    oid: sha256(hello),
  });
  t.same(
    by.get("new.bin"),
    { path: "new.bin", uploadMode: "lfs", shouldIgnore: false },
    "no oid for a new path",
  );
  t.equal(by.get("huge.txt")?.uploadMode, "lfs", "size over the threshold");
  t.equal(by.get("binary.dat")?.uploadMode, "lfs", "binary sample over 1 MB");
  t.equal(by.get("small-binary.dat")?.uploadMode, "regular", "small binary stays regular");
  t.equal(by.get("logs/x.log")?.shouldIgnore, true, "gitIgnore body field applies");
  const withAttrs = await http(base, `/api/${REPO}/preupload/main`, {
    json: {
      files: [{ path: "a.custom", sample: "", size: 1 }],
      gitAttributes: "*.custom filter=lfs diff=lfs merge=lfs -text\n",
    },
  });
  t.equal(
    withAttrs.json<{ files: { uploadMode: string }[] }>().files[0]?.uploadMode,
    "lfs",
    "gitAttributes body field",
  );
});

t.test("resolve: HEAD headers and Range", async (t) => {
  const head = await http(base, "/user/shapes/resolve/main/nested/hello.weights", { method: "HEAD" });
  t.equal(head.status, 200);
  t.match(head.headers["x-repo-commit"] ?? "", /^[0-9a-f]{40}$/);
  t.equal(head.headers.etag, `"${sha256(hello)}"`);
  t.equal(head.headers["x-linked-etag"], `"${sha256(hello)}"`);
  t.equal(head.headers["x-linked-size"], "13");
  t.equal(head.headers["content-length"], "13");
  const regular = await http(base, "/user/shapes/resolve/main/hello.txt", { method: "HEAD" });
  t.equal(regular.headers.etag, `"${gitBlobSha1(hello)}"`);
  t.notOk(regular.headers["x-linked-etag"]);
  const range = await http(base, "/user/shapes/resolve/main/nested/hello.weights", {
    headers: { range: "bytes=7-11" },
  });
  t.equal(range.status, 206);
  t.equal(range.headers["content-range"], "bytes 7-11/13");
  t.equal(range.text, "World");
});

t.test("tree pagination follows absolute Link headers", async (t) => {
  const paged = await startTestEmulator(t, { pageSize: 3 });
  await createRepo(paged.url, "user/paged");
  const files = Array.from({ length: 8 }, (_, i) => fileLine(`d${i % 2}/f${i}.txt`, `${i}`));
  t.equal(
    (await commit(paged.url, "models/user/paged", [header(), ...files, fileLine("top.txt", "t")])).status,
    200,
  );
  const seen: string[] = [];
  let url: string | undefined = "/api/models/user/paged/tree/main?recursive=true";
  let pages = 0;
  while (url) {
    const res = await http(paged.url, url);
    pages++;
    seen.push(...res.json<{ path: string }[]>().map((e) => e.path));
    const link = res.headers.link;
    if (link === undefined) break;
    const m = LINK_RE.exec(link);
    t.ok(m, `Link matches the JS client's regex: ${link}`);
    t.equal(m?.[2], "next");
    t.ok(m?.[1]?.startsWith(paged.url));
    url = m?.[1];
  }
  t.ok(pages > 1, "more than one page");
  t.same([...seen].sort(), [
    ".gitattributes",
    "d0",
    "d0/f0.txt",
    "d0/f2.txt",
    "d0/f4.txt",
    "d0/f6.txt",
    "d1",
    "d1/f1.txt",
    "d1/f3.txt",
    "d1/f5.txt",
    "d1/f7.txt",
    "top.txt",
  ]);
  const children = await http(paged.url, "/api/models/user/paged/tree/main/d1");
  t.same(
    children.json<{ path: string }[]>().map((e) => e.path),
    ["d1/f1.txt", "d1/f3.txt", "d1/f5.txt"],
  );
});

t.test("create_pr opens refs/pr/N; raw and encoded PR revisions both resolve", async (t) => {
  const res = await commit(base, REPO, [header("pr"), fileLine("pr.txt", "pr")], { query: "?create_pr=1" });
  t.equal(res.status, 200);
  const url = res.json<{ pullRequestUrl: string }>().pullRequestUrl;
  const n = /\/discussions\/(\d+)$/.exec(url)?.[1];
  t.ok(n, `pullRequestUrl ${url}`);
  t.ok(url.startsWith(`${base}/user/shapes/discussions/`));
  const raw = await http(base, `/api/${REPO}/tree/refs/pr/${n}`);
  t.ok(
    raw.json<{ path: string }[]>().some((e) => e.path === "pr.txt"),
    "raw refs/pr/N in the tree URL",
  );
  const enc = await http(base, `/api/${REPO}/paths-info/refs%2Fpr%2F${n}`, { json: { paths: ["pr.txt"] } });
  t.equal(enc.json<unknown[]>().length, 1, "encoded refs%2Fpr%2FN");
  const main = await http(base, `/api/${REPO}/paths-info/main`, { json: { paths: ["pr.txt"] } });
  t.same(main.json(), [], "main untouched");
});

t.test("history stays readable after deletes", async (t) => {
  const before = await commit(base, REPO, [
    header("add"),
    fileLine("old/a.txt", "a"),
    fileLine("old/b.txt", "b"),
  ]);
  const oldId = before.json<{ commitOid: string }>().commitOid;
  const del = await commit(base, REPO, [header("del"), { key: "deletedFolder", value: { path: "old/" } }]);
  t.equal(del.status, 200);
  t.equal((await http(base, `/api/${REPO}/tree/main/old`)).status, 404, "gone at head");
  const then = await http(base, `/api/${REPO}/tree/${oldId}/old`);
  t.same(
    then.json<{ path: string }[]>().map((e) => e.path),
    ["old/a.txt", "old/b.txt"],
    "readable at the old commit",
  );
  const file = await http(base, `/user/shapes/resolve/${oldId.slice(0, 7)}/old/a.txt`);
  t.equal(file.text, "a", "short commit ids resolve");
});

t.test("commits list, refs, branches, whoami, validate-yaml", async (t) => {
  const commits = await http(base, `/api/${REPO}/commits/main`);
  const items = commits.json<{ id: string; title: string; authors: { user: string }[]; date: string }[]>();
  t.equal(items.at(-1)?.title, "initial commit");
  t.equal(items.at(-1)?.authors[0]?.user, "system");
  t.match(items[0]?.id ?? "", /^[0-9a-f]{40}$/);
  const branch = await http(base, `/api/${REPO}/branch/dev`, { json: {} });
  t.equal(branch.status, 200);
  t.equal((await http(base, `/api/${REPO}/branch/dev`, { json: {} })).status, 409, "branch exists");
  const refs = await http(base, `/api/${REPO}/refs`);
  t.same(
    refs
      .json<{ branches: { name: string }[] }>()
      .branches.map((b) => b.name)
      .sort(),
    ["dev", "main"],
  );
  const who = await http(base, "/api/whoami-v2");
  t.same(who.json<{ name: string; auth: unknown }>().auth, {
    type: "access_token",
    accessToken: { displayName: "emulator", role: "write" },
  });
  const yaml = await http(base, "/api/validate-yaml", {
    json: { content: "---\nlicense: mit\n---\n", repoType: "model" },
  });
  t.same(yaml.json(), { errors: [], warnings: [] });
});

t.test("dataset repos use the datasets/ prefix in every URL", async (t) => {
  const created = await createRepo(base, "user/ds", { type: "dataset" });
  t.equal(created.json<{ url: string }>().url, `${base}/datasets/user/ds`);
  const c = await commit(base, "datasets/user/ds", [header(), fileLine("x.txt", "x")]);
  t.match(
    c.json<{ commitUrl: string }>().commitUrl,
    new RegExp(`^${base}/datasets/user/ds/commit/[0-9a-f]{40}$`),
  );
  const batch = await http(base, "/datasets/user/ds.git/info/lfs/objects/batch", {
    json: { operation: "upload", transfers: ["basic"], objects: [{ oid: sha256("d"), size: 1 }] },
  });
  t.equal(batch.status, 200);
  t.equal((await http(base, "/datasets/user/ds/resolve/main/x.txt")).text, "x");
});

t.test(
  "Python-style commit bodies: spaced JSON, trailing newline, blank lines, size-less lfsFile",
  async (t) => {
    const pyJson = (v: unknown) => JSON.stringify(v).replace(/","/g, '", "').replace(/":/g, '": ');
    const lines = [
      { key: "header", value: { summary: "Upload with huggingface_hub", description: "" } },
      {
        key: "file",
        value: { content: Buffer.from("py").toString("base64"), path: "py/a.txt", encoding: "base64" },
      },
      { key: "lfsFile", value: { path: "py/copy.weights", algo: "sha256", oid: sha256(hello) } },
    ];
    const body = `${lines.map(pyJson).join("\n")}\n\n`;
    const res = await http(base, `/api/${REPO}/commit/main`, {
      body,
      headers: { "content-type": "application/x-ndjson" },
    });
    t.equal(res.status, 200, res.text);
    const info = await http(base, `/api/${REPO}/paths-info/main`, {
      json: { paths: ["py/a.txt", "py/copy.weights"] },
    });
    const [a, copy] = info.json<{ size: number; lfs?: { size: number } }[]>();
    t.equal(a?.size, 2);
    t.equal(copy?.lfs?.size, 13, "size taken from the stored object");
    const del = await http(base, `/api/${REPO}/commit/main`, {
      body: `${pyJson({ key: "header", value: { summary: "rm", description: "" } })}\n${pyJson({ key: "deletedFolder", value: { path: "py/" } })}\n`,
      headers: { "content-type": "application/x-ndjson" },
    });
    t.equal(del.status, 200, "deletedFolder with a trailing slash");
    t.same((await http(base, `/api/${REPO}/paths-info/main`, { json: { paths: ["py/a.txt"] } })).json(), []);
  },
);
