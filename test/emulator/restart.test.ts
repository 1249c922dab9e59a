import { stat } from "node:fs/promises";
import { createBranch, createRepo, type RepoId, uploadFiles } from "@huggingface/hub";
import t from "tap";
import { type EmulatorOptions, type RunningEmulator, startEmulator } from "../../emulator/start-emulator.js";
import { type FixtureFile, makeFidelityFiles } from "./fixtures/fidelity-files.js";
import { RawHub } from "./fixtures/raw-hub.js";
import { sha256Hex } from "./fixtures/sha256-hex.js";
import { snapshotProblems } from "./fixtures/snapshot-problems.js";
import { type RepoSnapshot, snapshotRepo } from "./fixtures/snapshot-repo.js";

// Everything the emulator answered before a restart it answers the same after one, from the same
// data dir on a new port: repo info, branches, history, trees and bytes.
const TOKEN = "hf_restart_write";
const MiB = 1024 * 1024;
const repo: RepoId = { type: "model", name: "user/restart" };
const dataDir = t.testdir();
const options: EmulatorOptions = {
  dataDir,
  tokens: [TOKEN],
  multipartThresholdBytes: 8 * MiB,
  multipartChunkBytes: 5 * MiB,
};

interface Observed {
  readonly api: Record<string, unknown>;
  readonly main: RepoSnapshot;
  readonly dev: RepoSnapshot;
}

/** What a client can see of the repo; the emulator's own URL is replaced so two runs compare. */
async function observe(emu: RunningEmulator): Promise<Observed> {
  const raw = new RawHub(emu.url, TOKEN);
  const api: Record<string, unknown> = {};
  try {
    for (const path of [
      `/api/models/${repo.name}`,
      `/api/models/${repo.name}?blobs=true`,
      `/api/models/${repo.name}/revision/dev`,
      `/api/models/${repo.name}/refs`,
      `/api/models/${repo.name}/commits/main`,
      `/api/models/${repo.name}/commits/dev`,
    ]) {
      const res = await raw.send("GET", path);
      api[path] = {
        status: res.status,
        body: JSON.parse(res.body.toString("utf8").split(emu.url).join("{E}")),
      };
    }
  } finally {
    await raw.close();
  }
  const hub = { hubUrl: emu.url, accessToken: TOKEN, repo };
  return { api, main: await snapshotRepo(hub), dev: await snapshotRepo({ ...hub, revision: "dev" }) };
}

const mainFiles = makeFidelityFiles("restart-main");
const devFiles: FixtureFile[] = [
  { path: "dev-only.txt", content: Buffer.from("only on dev\n"), lfs: false },
  { path: "weights.bin", content: Buffer.concat([Buffer.alloc(1), Buffer.alloc(2 * MiB, 7)]), lfs: true },
];
const asBlobs = (files: readonly FixtureFile[]) =>
  files.map((f) => ({ path: f.path, content: new Blob([f.content]) }));

let before: Observed;
t.before(async () => {
  const first = await startEmulator(options);
  try {
    const hub = { hubUrl: first.url, accessToken: TOKEN, repo, useXet: false };
    await createRepo(hub);
    await uploadFiles({ ...hub, files: asBlobs(mainFiles) });
    await createBranch({ ...hub, branch: "dev" });
    await uploadFiles({ ...hub, branch: "dev", files: asBlobs(devFiles) });
    before = await observe(first);
  } finally {
    await first.close();
  }
});

t.test("closing keeps a data dir that the caller chose", async (t) => {
  t.ok((await stat(dataDir)).isDirectory());
});

t.test("a restart on the same data dir answers exactly as before", async (t) => {
  const second = await startEmulator(options);
  t.teardown(() => second.close());
  const after = await observe(second);

  const statuses = (o: Observed) => Object.values(o.api).map((r) => (r as { status: number }).status);
  t.same(statuses(before), [200, 200, 200, 200, 200, 200], "every read answered before the restart");
  t.same(after.api, before.api, "repo info, refs and commit lists unchanged");
  t.same(after.main.entries, before.main.entries, "main tree unchanged");
  t.same(after.dev.entries, before.dev.entries, "dev tree unchanged");
  t.same(snapshotProblems(after.main, mainFiles), [], "main bytes identical to what was uploaded");
  const expectedDev = [...mainFiles.filter((f) => f.path !== "weights.bin"), ...devFiles];
  t.same(snapshotProblems(after.dev, expectedDev), [], "dev bytes identical to what was uploaded");
  for (const [path, bytes] of before.dev.contents) {
    t.ok(after.dev.contents.get(path)?.equals(bytes), `dev ${path} downloads the same bytes as before`);
  }

  // The LFS store survived too: the batch API says the object is already there (no actions).
  const raw = new RawHub(second.url, TOKEN);
  t.teardown(() => raw.close());
  const big = mainFiles.find((f) => f.path === "big.safetensors")?.content ?? Buffer.alloc(0);
  const batch = await raw.send("POST", `/${repo.name}.git/info/lfs/objects/batch`, {
    headers: { "content-type": "application/vnd.git-lfs+json", accept: "application/vnd.git-lfs+json" },
    body: JSON.stringify({
      operation: "upload",
      transfers: ["basic", "multipart"],
      hash_algo: "sha256",
      ref: { name: "main" },
      objects: [{ oid: sha256Hex(big), size: big.length }],
    }),
  });
  t.equal(batch.status, 200);
  const objects = (JSON.parse(batch.body.toString("utf8")) as { objects: Array<Record<string, unknown>> })
    .objects;
  t.equal(objects.length, 1);
  t.notOk(objects[0] && "actions" in objects[0], "already stored: no actions");

  // And the repo keeps working: a new commit goes on top of the old head.
  const headBefore = await raw.headSha(repo.name);
  const more = await uploadFiles({
    hubUrl: second.url,
    accessToken: TOKEN,
    repo,
    useXet: false,
    files: [{ path: "after-restart.txt", content: new Blob(["still here\n"]) }],
  });
  const commits = await raw.send("GET", `/api/models/${repo.name}/commits/main`);
  const ids = (JSON.parse(commits.body.toString("utf8")) as Array<{ id: string }>).map((c) => c.id);
  t.same(ids.slice(0, 2), [more?.commit.oid, headBefore], "new commit on top of the pre-restart head");
});
