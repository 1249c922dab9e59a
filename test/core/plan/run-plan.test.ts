import { randomBytes } from "node:crypto";
import path from "node:path";
import { createRepo, uploadFiles } from "@huggingface/hub";
import t from "tap";
import { DEFAULT_TUNING } from "../../../core/engine-tuning.js";
import { HashPool } from "../../../core/hash/hash-pool.js";
import { UndiciHubClient } from "../../../core/hub/undici-hub-client.js";
import { DEFAULT_REPO_LIMITS } from "../../../core/plan/repo-limits.js";
import { type PlanOptions, runPlan } from "../../../core/plan/run-plan.js";
import { startEmulator } from "../../../emulator/start-emulator.js";
import { writeTree } from "../../helpers/folder-tree.js";

// In process (the CLI tests run it in child processes and compare with real uploads).
const TOKEN = "hf_core_plan";
const emulator = await startEmulator({
  tokens: [`${TOKEN}:write:user`],
  lfsThresholdBytes: 4096,
  pageSize: 4,
});
t.teardown(() => emulator.close());
const hub = new UndiciHubClient({ endpoint: emulator.url, token: async () => TOKEN });
t.teardown(() => hub.close());
const pool = new HashPool({ workers: 2 });
t.teardown(() => pool.close());

const base = (given: string, extra: Partial<PlanOptions> = {}): PlanOptions => ({
  given,
  hub,
  repo: { type: "model", id: "user/core-plan" },
  revision: "main",
  pathInRepo: "",
  include: [],
  exclude: [],
  excludeAbsolute: [],
  lookup: () => null,
  pool,
  deletePatterns: [],
  limits: DEFAULT_REPO_LIMITS,
  tuning: DEFAULT_TUNING,
  rateBytesPerSec: null,
  ...extra,
});

t.test("a new repo: the Hub's rules applied locally, exclusions counted", async (t) => {
  const folder = t.testdir();
  writeTree(folder, {
    "a.txt": "A\n",
    "m.safetensors": randomBytes(100),
    "big.dat": randomBytes(11 * 1024 * 1024),
    ".gitattributes": "*.dat filter=lfs diff=lfs merge=lfs -text\n",
    ".gitignore": "*.log\n",
    "x.log": "x",
  });
  const plan = await runPlan(base(folder, { rateBytesPerSec: 1_000_000 }));
  t.same(plan.remote, { repoExists: false, branchExists: false, baseRevision: "main", remoteFiles: 0 });
  t.equal(plan.modesFrom, "local-rules");
  t.same(
    plan.upload.lfs.files,
    2,
    "m.safetensors by the default rules, big.dat by size and the uploaded .gitattributes",
  );
  t.same(plan.upload.regular.files, 3);
  t.same(plan.excluded, { files: 1, bytes: 1 });
  t.equal(plan.commits, 1);
  t.equal(plan.estimatedSeconds, Math.ceil(plan.upload.total.bytes / 1_000_000));
});

t.test("an existing repo: preupload decides; deletions; limits", async (t) => {
  const folder = t.testdir();
  writeTree(folder, { "same.txt": "same\n", "new.txt": "new\n", "w.bin": randomBytes(5000), "skip.me": "s" });
  for (let i = 0; i < 8; i++) writeTree(folder, { [`many/f${i}.txt`]: `${i}` });
  const repoHub = { hubUrl: emulator.url, accessToken: TOKEN, repo: "user/core-plan" };
  await createRepo(repoHub);
  await uploadFiles({
    ...repoHub,
    useXet: false,
    files: [
      { path: "same.txt", content: new Blob(["same\n"]) },
      { path: ".gitignore", content: new Blob(["*.me\n"]) },
      { path: "old/stale.txt", content: new Blob(["stale\n"]) },
      { path: "old/keep.md", content: new Blob(["md\n"]) },
    ],
  });
  // The folder uploads no .gitignore: the repo's applies and ignores skip.me.
  const plan = await runPlan(
    base(folder, {
      deletePatterns: ["*.txt"],
      limits: { ...DEFAULT_REPO_LIMITS, maxFolderEntries: 7, recommendedFileBytes: 4000 },
    }),
  );
  t.equal(plan.modesFrom, "preupload");
  t.same(plan.alreadyOnHub.files, 1);
  t.same(plan.ignored.paths, ["skip.me"]);
  t.same(plan.upload.lfs.files, 1);
  t.same(plan.upload.regular.files, 9, "new.txt and many/*");
  t.same(plan.deletions, ["old/stale.txt"], "same.txt is uploaded by the job: never deleted");
  t.equal(plan.commits, 1);
  t.same(
    plan.warnings.map((w) => [w.kind, w.path]),
    [
      ["file-size-recommended", "w.bin"],
      ["folder-entries", "many"],
    ],
  );
  const dev = await runPlan(base(path.join(folder, "new.txt"), { revision: "dev" }));
  t.same([dev.remote.branchExists, dev.remote.baseRevision, dev.upload.total.files], [false, "main", 1]);
});
