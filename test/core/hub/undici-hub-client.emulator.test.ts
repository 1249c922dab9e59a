import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import t from "tap";
import { HubError } from "../../../core/hub/hub-error.js";
import { UndiciHubClient } from "../../../core/hub/undici-hub-client.js";
import { startEmulator } from "../../../emulator/start-emulator.js";

const WRITE = "hf_emulatorWriteToken1";
const READ = "hf_emulatorReadToken1";
const MiB = 1024 * 1024;

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const blobSha1 = (b: Buffer) => createHash("sha1").update(`blob ${b.length}\0`).update(b).digest("hex");
const sample = (b: Buffer) => b.subarray(0, 512).toString("base64");

async function failure(promise: Promise<unknown>): Promise<HubError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof HubError) return err;
    throw err;
  }
  throw new Error("expected a rejection");
}

t.test("against the emulator: create, preupload, LFS basic + multipart, commit, paths-info", async (t) => {
  const emu = await startEmulator({
    tokens: [`${WRITE}:write:user`, `${READ}:read:user`],
    multipartThresholdBytes: 6 * MiB,
    multipartChunkBytes: 5 * MiB,
  });
  const client = new UndiciHubClient({ endpoint: emu.url, token: async () => WRITE });
  t.teardown(async () => {
    await client.close();
    await emu.close();
  });
  const repo = { type: "model" as const, id: "user/hubpush-client" };

  t.same(await client.whoami(), { name: "user" });
  const created = await client.createRepo(repo, { private: false, existOk: false });
  t.equal(created.url, `${emu.url}/user/hubpush-client`);
  t.same(
    await client.createRepo(repo, { private: false, existOk: true }),
    created,
    "existOk: a 409 is success",
  );
  t.match(await failure(client.createRepo(repo, { private: false, existOk: false })), {
    code: "ERR_HUB_CONFLICT",
  });
  const dataset = await client.createRepo(
    { type: "dataset", id: "user/ds" },
    { private: true, existOk: false },
  );
  t.equal(dataset.url, `${emu.url}/datasets/user/ds`);

  const hello = Buffer.from("Hello, World!");
  const small = randomBytes(100_000);
  const big = randomBytes(12 * MiB);
  const plans = await client.preupload(repo, "main", [
    { path: "hello.txt", sample: sample(hello), size: hello.length },
    { path: "w/small.bin", sample: sample(small), size: small.length },
    { path: "w/big.safetensors", sample: sample(big), size: big.length },
  ]);
  t.same(
    plans.map((p) => [p.path, p.uploadMode, p.oid]),
    [
      ["hello.txt", "regular", null],
      ["w/small.bin", "lfs", null],
      ["w/big.safetensors", "lfs", null],
    ],
  );

  const objects = [
    { oid: sha256(small), size: small.length },
    { oid: sha256(big), size: big.length },
  ];
  const [basic, multi] = await client.lfsBatch(repo, "main", objects);
  t.equal(basic?.kind, "basic");
  if (basic?.kind === "basic") {
    t.ok(basic.uploadUrl.startsWith(emu.url), "the upload URL is on the emulator");
    const dir = t.testdir();
    await writeFile(path.join(dir, "small.bin"), small);
    await client.putUpload(basic.uploadUrl, {
      body: createReadStream(path.join(dir, "small.bin")),
      length: small.length,
      header: basic.header,
    });
    if (basic.verify !== null) await client.verifyLfs(basic.verify, sha256(small), small.length);
  }
  t.equal(multi?.kind, "multipart");
  if (multi?.kind === "multipart") {
    t.equal(multi.chunkSize, 5 * MiB);
    t.equal(multi.partUrls.length, 3);
    const parts = [];
    for (const [index, url] of multi.partUrls.entries()) {
      const bytes = big.subarray(index * multi.chunkSize, (index + 1) * multi.chunkSize);
      const { etag } = await client.putUpload(url, { body: bytes, length: bytes.length });
      t.ok(etag !== null && etag.length > 0, `part ${index + 1} has an ETag`);
      parts.push({ partNumber: index + 1, etag: etag ?? "" });
    }
    await client.completeMultipart(multi.completionUrl, sha256(big), parts);
    await client.completeMultipart(multi.completionUrl, sha256(big), parts).catch((err: unknown) => {
      t.fail(`a repeated completion must succeed (hub-protocol.md §5.2): ${String(err)}`);
    });
    if (multi.verify !== null) await client.verifyLfs(multi.verify, sha256(big), big.length);
  }
  t.same(
    (await client.lfsBatch(repo, "main", objects)).map((a) => a.kind),
    ["stored", "stored"],
    "both objects are stored now",
  );

  const answer = await client.commit(repo, "main", {
    summary: "Add files",
    operations: [
      { kind: "file", path: "hello.txt", content: hello },
      { kind: "lfsFile", path: "w/small.bin", oid: sha256(small), size: small.length },
      { kind: "lfsFile", path: "w/big.safetensors", oid: sha256(big), size: big.length },
    ],
  });
  t.match(answer.commitOid, /^[0-9a-f]{40}$/);
  t.equal(answer.commitUrl, `${emu.url}/user/hubpush-client/commit/${answer.commitOid}`);

  const infos = await client.pathsInfo(repo, "main", [
    "hello.txt",
    "w/small.bin",
    "w/big.safetensors",
    "nope",
  ]);
  const byPath = new Map(infos.map((i) => [i.path, i]));
  t.equal(infos.length, 3, "absent paths are omitted");
  t.match(byPath.get("hello.txt"), { type: "file", oid: blobSha1(hello), size: 13, lfs: null });
  t.match(byPath.get("w/small.bin"), {
    type: "file",
    size: small.length,
    lfs: { oid: sha256(small), size: small.length },
  });
  t.match(byPath.get("w/big.safetensors"), { lfs: { oid: sha256(big), size: big.length } });
  const pointer = `version https://git-lfs.github.com/spec/v1\noid sha256:${sha256(small)}\nsize ${small.length}\n`;
  t.equal(
    byPath.get("w/small.bin")?.oid,
    blobSha1(Buffer.from(pointer)),
    "an LFS file's oid is its pointer's blob sha1",
  );

  t.match(await client.repoInfo(repo, "main"), { id: repo.id, sha: answer.commitOid, private: false });
  const again = await client.preupload(repo, "main", [
    { path: "hello.txt", sample: sample(hello), size: hello.length },
    { path: "w/small.bin", sample: sample(small), size: small.length },
  ]);
  t.same(
    again.map((a) => a.oid),
    [blobSha1(hello), sha256(small)],
    "remote oids: blob sha1 for regular files, sha256 for LFS files",
  );
});

t.test("against the emulator: errors are classified", async (t) => {
  const emu = await startEmulator({ tokens: [`${WRITE}:write:user`, `${READ}:read:user`] });
  const client = new UndiciHubClient({ endpoint: emu.url, token: async () => WRITE });
  const bogus = new UndiciHubClient({ endpoint: emu.url, token: async () => "hf_notAValidToken42" });
  const reader = new UndiciHubClient({ endpoint: emu.url, token: async () => READ });
  t.teardown(async () => {
    await Promise.all([client.close(), bogus.close(), reader.close()]);
    await emu.close();
  });
  const repo = { type: "model" as const, id: "user/errors" };
  await client.createRepo(repo, { private: false, existOk: false });
  const commit = {
    summary: "s",
    operations: [{ kind: "file" as const, path: "a.txt", content: Buffer.from("a") }],
  };

  const unauthorized = await failure(bogus.commit(repo, "main", commit));
  t.match(unauthorized, { code: "ERR_HUB_UNAUTHORIZED", status: 401, retryable: false });
  t.notOk(JSON.stringify(unauthorized).includes("hf_notAValidToken42"));
  t.match(await failure(client.repoInfo({ type: "model", id: "user/missing" }, "main")), {
    code: "ERR_HUB_REPO_NOT_FOUND",
    status: 404,
  });
  t.match(await failure(client.commit({ type: "dataset", id: "user/errors" }, "main", commit)), {
    code: "ERR_HUB_REPO_NOT_FOUND",
  });
  t.match(await failure(client.repoInfo(repo, "no-such-branch")), { code: "ERR_HUB_REVISION_NOT_FOUND" });
  t.match(await failure(reader.commit(repo, "main", commit)), { code: "ERR_HUB_FORBIDDEN", status: 403 });

  emu.setFaults("route=preupload,kind=status,status=503,count=2");
  const files = [{ path: "a.txt", sample: "YQ==", size: 1 }];
  t.match(await failure(client.preupload(repo, "main", files)), { code: "ERR_HUB_SERVER", retryable: true });
  t.match(await failure(client.preupload(repo, "main", files)), { code: "ERR_HUB_SERVER" });
  t.equal((await client.preupload(repo, "main", files)).length, 1, "the fault count is spent");

  emu.setFaults("route=*,kind=ratelimit,retry-after=2,count=1");
  t.match(await failure(client.whoami()), {
    code: "ERR_HUB_RATE_LIMITED",
    retryable: true,
    retryAfterMs: 2000,
  });

  emu.setFaults("route=commit,kind=lost,count=1");
  const lost = await failure(client.commit(repo, "main", commit));
  t.match(lost, { code: "ERR_HUB_NETWORK", retryable: true, maybeApplied: true });
  const [landed] = await client.pathsInfo(repo, "main", ["a.txt"]);
  t.equal(landed?.oid, blobSha1(Buffer.from("a")), "the lost commit had landed: reconcile, do not re-send");
});
