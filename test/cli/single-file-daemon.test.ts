import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import t from "tap";
import { HubpushError } from "../../common/hubpush-error.js";
import { ControlClient } from "../../daemon/control-client.js";
import type { JobStatusJson } from "../../daemon/job-status-json.js";
import { resolveStatePaths } from "../../daemon/state-paths.js";
import { startEmulator } from "../../emulator/start-emulator.js";
import { downloadRemoteFile, listRemoteFiles } from "../helpers/remote-repo.js";
import { runCli } from "../helpers/run-cli.js";

// `hubpush add FILE` through a real daemon (its own process, its socket, its journal), and the
// control API's /v1/jobs/add with a file: the same one-file job, and the same refusals.

const TOKEN = "hf_cli_single_d";
const root = mkdtempSync(path.join(tmpdir(), "hubpush-single-d-"));
const emulator = await startEmulator({ tokens: [`${TOKEN}:write:user`], dataDir: path.join(root, "emu") });
const env = { HUBPUSH_HOME: path.join(root, "home"), HF_TOKEN: TOKEN, NO_COLOR: "1" };
const client = new ControlClient(resolveStatePaths(env).socket);
const MODEL = randomBytes(200_000);
const modelFile = path.join(root, "model.safetensors");
writeFileSync(modelFile, MODEL);
const repo = { endpoint: emulator.url, id: "user/sf-daemon", token: TOKEN };

t.teardown(async () => {
  await client.close();
  await runCli(["daemon", "stop"], { env });
  await emulator.close();
  rmSync(root, { recursive: true, force: true });
});

async function listJobs(): Promise<JobStatusJson[]> {
  return (await client.request<{ jobs: JobStatusJson[] }>("GET", "/v1/jobs/list")).jobs;
}

t.test("add FILE: the daemon uploads the one-file job; status --json says kind file", async (t) => {
  t.equal((await runCli(["daemon", "start"], { env })).code, 0, "daemon started");
  const add = await runCli(
    ["add", modelFile, "--repo", repo.id, "--path-in-repo", "weights/", "--endpoint", emulator.url],
    { env },
  );
  t.equal(add.code, 0, add.stderr);
  t.equal(add.stdout, "1\n", "prints the job id");
  t.match(add.stderr, `added job 1: ${modelFile} → user/sf-daemon`);
  const watch = await runCli(["status", "1", "--watch", "--progress-interval", "100"], { env });
  t.equal(watch.code, 0, watch.stderr);
  const status = await runCli(["status", "1", "--json"], { env });
  const job = JSON.parse(status.stdout) as JobStatusJson;
  t.equal(job.kind, "file");
  t.equal(job.folder, modelFile);
  t.equal(job.repo.pathInRepo, "weights/model.safetensors");
  t.equal(job.state, "done");
  t.same(job.files.committed, { files: 1, bytes: MODEL.length });
  t.same([...(await listRemoteFiles(repo)).keys()].sort(), [".gitattributes", "weights/model.safetensors"]);
  t.ok((await downloadRemoteFile(repo, "weights/model.safetensors")).equals(MODEL), "byte-identical");

  const again = await runCli(
    [
      "add",
      modelFile,
      "--repo",
      repo.id,
      "--path-in-repo",
      "weights/model.safetensors",
      "--endpoint",
      emulator.url,
    ],
    { env },
  );
  t.equal(again.code, 0, again.stderr);
  t.match(again.stderr, "found existing job 1", "the same file and path in the repo is the same job");
});

t.test("the control API takes a file as `folder`, and refuses folder-only options with it", async (t) => {
  const added = await client.request<{ job: JobStatusJson; created: boolean }>("POST", "/v1/jobs/add", {
    folder: modelFile,
    repo: "user/sf-api",
    endpoint: emulator.url,
  });
  t.equal(added.created, true);
  t.equal(added.job.kind, "file");
  t.equal(added.job.repo.pathInRepo, "model.safetensors", "the default path in the repo is the file's name");
  const before = (await listJobs()).map((j) => j.id);
  for (const [extra, message] of [
    [
      { watch: true },
      /is a single file: --watch follows the changes of a folder, a single file cannot be watched/,
    ],
    [{ include: ["*.bin"] }, /--include chooses files inside a folder/],
    [{ watch: true, mirrorDeletes: true }, /--watch, --mirror-deletes follow/],
  ] as const) {
    const err = await client
      .request("POST", "/v1/jobs/add", {
        folder: modelFile,
        repo: "user/sf-api-w",
        endpoint: emulator.url,
        ...extra,
      })
      .then(() => null)
      .catch((e: unknown) => e);
    t.ok(err instanceof HubpushError, JSON.stringify(extra));
    t.equal((err as HubpushError).code, "ERR_FOLDER_ONLY_OPTION", JSON.stringify(extra));
    t.match((err as HubpushError).message, message);
  }
  t.same(
    (await listJobs()).map((j) => j.id),
    before,
    "no job was added by the refused requests",
  );
  const watchCli = await runCli(
    ["add", modelFile, "--repo", "user/sf-api-w", "--watch", "--endpoint", emulator.url],
    {
      env,
    },
  );
  t.equal(watchCli.code, 2, watchCli.stderr);
  t.match(watchCli.stderr, "(ERR_FOLDER_ONLY_OPTION)");
  t.same(
    (await listJobs()).map((j) => j.id),
    before,
    "nor by the CLI",
  );
});
