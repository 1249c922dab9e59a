import { join } from "node:path";
import { createBranch, createRepo, listCommits, type RepoId, uploadFiles } from "@huggingface/hub";
import t from "tap";
import { type RunningEmulator, startEmulator } from "../../emulator/start-emulator.js";
import { makeFidelityFiles } from "./fixtures/fidelity-files.js";
import { readAccessLog } from "./fixtures/read-access-log.js";
import { recordingFetch, type SentRequest } from "./fixtures/recording-fetch.js";
import { sha256Hex } from "./fixtures/sha256-hex.js";
import { snapshotProblems } from "./fixtures/snapshot-problems.js";
import { snapshotRepo } from "./fixtures/snapshot-repo.js";
import { waitForAccessLog } from "./fixtures/wait-for-access-log.js";

// The official @huggingface/hub client, unmodified, against the emulator: what it uploads must list
// with the §7.1 shapes and download back byte for byte.
const TOKEN = "hf_fidelity_write";
const MiB = 1024 * 1024;
const accessLog = join(t.testdir(), "access.jsonl");
let emu: RunningEmulator;
let hub: { hubUrl: string; accessToken: string };
t.before(async () => {
  emu = await startEmulator({
    multipartThresholdBytes: 8 * MiB,
    multipartChunkBytes: 5 * MiB,
    tokens: [`${TOKEN}:write:user`],
    accessLog,
    // Small tree pages, so the client's Link-header pagination (§7.2) is part of every listing.
    pageSize: 4,
  });
  hub = { hubUrl: emu.url, accessToken: TOKEN };
});
t.teardown(() => emu?.close());

function webPrefix(repo: RepoId): string {
  return repo.type === "model" ? "" : `${repo.type}s/`;
}

async function createAndUpload(repo: RepoId, tag: string, sent: SentRequest[] = []) {
  const created = await createRepo({ ...hub, repo });
  const files = makeFidelityFiles(tag);
  const output = await uploadFiles({
    ...hub,
    repo,
    useXet: false,
    fetch: recordingFetch(sent),
    files: files.map((f) => ({ path: f.path, content: new Blob([f.content]) })),
  });
  return { created, files, output };
}

for (const repo of [
  { type: "model", name: "user/fidelity-model" },
  { type: "dataset", name: "user/fidelity-dataset" },
] satisfies RepoId[]) {
  t.test(`${repo.type} repo: upload, list and download back with the official client`, async (t) => {
    const sent: SentRequest[] = [];
    const { created, files, output } = await createAndUpload(repo, repo.type, sent);
    t.equal(
      created.repoUrl,
      `${emu.url}/${webPrefix(repo)}${repo.name}`,
      "create_repo url on the emulator host",
    );
    t.match(created.id, /^[0-9a-f]{24}$/, "create_repo id");
    t.ok(output, "uploadFiles returned a commit");
    t.match(output?.commit.oid, /^[0-9a-f]{40}$/, "commitOid is 40-hex");
    t.equal(output?.commit.url, `${emu.url}/${webPrefix(repo)}${repo.name}/commit/${output?.commit.oid}`);

    const snapshot = await snapshotRepo({ ...hub, repo });
    t.same(snapshotProblems(snapshot, files), [], "listing and downloads match the uploaded files");
    const treePages = (await readAccessLog(accessLog)).filter(
      (e) => e.route === "tree" && e.repo === repo.name,
    );
    t.ok(treePages.length >= 2, `the listing followed Link pages (${treePages.length} pages)`);
    const gitattributes = snapshot.contents.get(".gitattributes")?.toString("utf8") ?? "";
    t.match(gitattributes, /^\*\.safetensors filter=lfs diff=lfs merge=lfs -text$/m, "default LFS patterns");
    t.match(
      gitattributes,
      /^raw\/blob\.dat filter=lfs diff=lfs merge=lfs -text$/m,
      "extended for raw/blob.dat",
    );

    // Transfers seen from the emulator's side: 3 parts + completion for the big file, basic PUTs else.
    const oid = (path: string) => sha256Hex(files.find((f) => f.path === path)?.content ?? Buffer.alloc(0));
    const big = oid("big.safetensors");
    const log = await waitForAccessLog(accessLog, (entries) =>
      entries.some((e) => e.route === "lfs-complete" && e.oid === big),
    );
    const parts = log.filter((e) => e.route === "lfs-part" && e.oid === big);
    t.same(parts.map((e) => e.partNumber).sort(), [1, 2, 3], "three parts of big.safetensors were PUT");
    t.ok(
      parts.every((e) => e.status === 200),
      "every part PUT answered 200",
    );
    t.same(
      log.filter((e) => e.route === "lfs-complete" && e.oid === big).map((e) => e.status),
      [200],
      "one successful completion",
    );
    for (const path of ["weights.bin", "raw/blob.dat"]) {
      t.same(
        log.filter((e) => e.route === "lfs-put" && e.oid === oid(path)).map((e) => e.status),
        [200],
        `one basic PUT for ${path}`,
      );
    }
    t.notOk(
      log.some((e) => e.route === "lfs-put" && e.oid === big),
      "no basic PUT for the multipart object",
    );

    // The client sent no Authorization to presigned URLs, and the emulator still accepted them.
    const lfsOids = new Set([big, oid("weights.bin"), oid("raw/blob.dat")]);
    const transferPaths = new Set(
      log
        .filter((e) => ["lfs-put", "lfs-part", "lfs-complete"].includes(e.route) && lfsOids.has(e.oid ?? ""))
        .map((e) => `${e.method} ${e.path}`),
    );
    const transfers = sent.filter((s) => transferPaths.has(`${s.method} ${s.url.pathname}`));
    t.equal(transfers.length, 6, "2 basic PUTs + 3 part PUTs + 1 completion went through the client");
    t.notOk(
      transfers.some((s) => s.authorized),
      "none of them carried Authorization",
    );
    t.ok(
      sent.filter((s) => s.url.pathname.startsWith("/api/")).every((s) => s.authorized),
      "Hub API calls did carry the token",
    );
  });
}

t.test("a non-main branch: created by the client, written with branch:, isolated from main", async (t) => {
  const repo: RepoId = { type: "model", name: "user/fidelity-branch" };
  const main = await createAndUpload(repo, "main-of-branch-repo");
  await createBranch({ ...hub, repo, branch: "dev" });

  // Same paths, new contents: the branch must hold the new bytes while main keeps the old.
  const devFiles = makeFidelityFiles("dev");
  const devOutput = await uploadFiles({
    ...hub,
    repo,
    branch: "dev",
    useXet: false,
    files: devFiles.map((f) => ({ path: f.path, content: new Blob([f.content]) })),
  });
  t.match(devOutput?.commit.oid, /^[0-9a-f]{40}$/);

  const dev = await snapshotRepo({ ...hub, repo, revision: "dev" });
  t.same(snapshotProblems(dev, devFiles), [], "dev lists and downloads the dev files");
  const onMain = await snapshotRepo({ ...hub, repo });
  t.same(snapshotProblems(onMain, main.files), [], "main still holds the main files");

  const devGitattributes = dev.contents.get(".gitattributes")?.toString("utf8") ?? "";
  t.equal(
    devGitattributes.split("\n").filter((l) => l.startsWith("raw/blob.dat ")).length,
    1,
    ".gitattributes of dev names raw/blob.dat once (inherited, not appended twice)",
  );

  const commitOids = async (revision?: string) => {
    const oids: string[] = [];
    for await (const c of listCommits({ ...hub, repo, revision })) oids.push(c.oid);
    return oids;
  };
  const mainCommits = await commitOids();
  const devCommits = await commitOids("dev");
  t.equal(mainCommits.length, 2, "main: initial commit + upload");
  t.equal(mainCommits[0], main.output?.commit.oid);
  t.same(devCommits, [devOutput?.commit.oid, ...mainCommits], "dev: its upload on top of main's history");

  const log = await readAccessLog(accessLog);
  const devBig = sha256Hex(devFiles.find((f) => f.path === "big.safetensors")?.content ?? Buffer.alloc(0));
  t.equal(
    log.filter((e) => e.route === "lfs-part" && e.oid === devBig && e.status === 200).length,
    3,
    "the dev upload of big.safetensors was multipart too",
  );
});
