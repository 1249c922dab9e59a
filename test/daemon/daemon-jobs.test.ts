import { writeFileSync } from "node:fs";
import path from "node:path";
import t from "tap";
import { HubpushError } from "../../common/hubpush-error.js";
import type { JobStatusJson } from "../../daemon/job-status-json.js";
import { startEmulator } from "../../emulator/start-emulator.js";
import { writeTree } from "../helpers/folder-tree.js";
import { downloadRemoteFile, listRemoteFiles } from "../helpers/remote-repo.js";
import { type DaemonHome, makeDaemonHome, WRITE_TOKEN, waitForJob } from "./fixtures/daemon-home.js";
import { shapeMismatches } from "./fixtures/job-status-shape.js";

function smallFolder(root: string, name: string, count: number): string {
  const folder = path.join(root, name);
  const files: Record<string, string> = {};
  for (let i = 0; i < count; i++) files[`dir-${i % 3}/file-${i}.txt`] = `${name} file ${i}\n`.repeat(i + 1);
  writeTree(folder, files);
  return folder;
}

async function add(h: DaemonHome, body: Record<string, unknown>): Promise<JobStatusJson> {
  return (await h.client.request<{ job: JobStatusJson }>("POST", "/v1/jobs/add", body)).job;
}

async function action(h: DaemonHome, verb: string, id: number): Promise<JobStatusJson> {
  return (await h.client.request<{ job: JobStatusJson }>("POST", `/v1/jobs/${verb}`, { id })).job;
}

t.test("daemon jobs against the emulator", async (t) => {
  const emulator = await startEmulator({ tokens: [`${WRITE_TOKEN}:write:user`] });
  const h = makeDaemonHome();
  t.teardown(async () => {
    await h.cli(["daemon", "stop"]);
    await h.cleanup();
    await emulator.close();
  });
  await h.start({ HF_TOKEN: WRITE_TOKEN });

  await t.test("two folders to two repos at once: both complete, files verified remotely", async (t) => {
    const a = smallFolder(h.root, "alpha", 24);
    const b = smallFolder(h.root, "beta", 17);
    const added = await h.cli(["add", a, "--repo", "user/alpha", "--endpoint", emulator.url]);
    t.equal(added.code, 0, added.stderr);
    const idA = Number(added.stdout.trim());
    const jobB = await add(h, { folder: b, repo: "user/beta", repoType: "dataset", endpoint: emulator.url });
    const [doneA, doneB] = await Promise.all([
      waitForJob(h.client, idA, ["done", "blocked"]),
      waitForJob(h.client, jobB.id, ["done", "blocked"]),
    ]);
    t.equal(doneA.state, "done");
    t.equal(doneB.state, "done");
    t.equal(doneA.files.committed.files, 24);
    t.equal(doneB.files.committed.files, 17);
    t.same(shapeMismatches(doneA), [], "JobStatusJson keys and types as documented");
    t.same(shapeMismatches(doneB), []);
    t.equal(typeof doneA.finishedAt, "string", "a done job has finishedAt");
    const remoteA = await listRemoteFiles({ endpoint: emulator.url, id: "user/alpha", token: WRITE_TOKEN });
    const remoteB = await listRemoteFiles({
      endpoint: emulator.url,
      id: "user/beta",
      type: "dataset",
      token: WRITE_TOKEN,
    });
    t.equal([...remoteA.keys()].filter((p) => p.startsWith("dir-")).length, 24);
    t.equal([...remoteB.keys()].filter((p) => p.startsWith("dir-")).length, 17);
    const bytes = await downloadRemoteFile(
      { endpoint: emulator.url, id: "user/alpha", token: WRITE_TOKEN },
      "dir-2/file-5.txt",
    );
    t.equal(bytes.toString(), "alpha file 5\n".repeat(6), "downloaded bytes are the local ones");
    const listed = await h.cli(["list", "--json"]);
    t.equal(listed.code, 0);
    t.same(
      (JSON.parse(listed.stdout) as { jobs: JobStatusJson[] }).jobs.map((j) => j.id).sort(),
      [idA, jobB.id].sort(),
      "`list --json` shows both",
    );
  });

  await t.test("pause and cancel while the Hub is slow; resume then finishes the job", async (t) => {
    emulator.setFaults("route=preupload,kind=latency,ms=1500");
    const folder = smallFolder(h.root, "gamma", 5);
    const job = await add(h, { folder, repo: "user/gamma", endpoint: emulator.url });
    t.equal((await action(h, "pause", job.id)).state, "paused");
    const { job: paused } = await h.client.request<{ job: JobStatusJson }>(
      "GET",
      `/v1/jobs/get?id=${job.id}`,
    );
    t.equal(paused.state, "paused", "the state is kept");
    t.equal(paused.files.committed.files, 0, "nothing committed while paused");

    const other = await add(h, {
      folder: smallFolder(h.root, "delta", 3),
      repo: "user/delta",
      endpoint: emulator.url,
    });
    t.equal((await action(h, "cancel", other.id)).state, "cancelled");
    const err = await action(h, "resume", other.id).catch((e: unknown) => e);
    t.ok(err instanceof HubpushError);
    t.equal((err as HubpushError).code, "ERR_JOB_STATE", "a cancelled job cannot be resumed");

    emulator.setFaults("");
    t.equal((await action(h, "resume", job.id)).state, "active");
    await t.test("the resumed job completes", async (t) => {
      const done = await waitForJob(h.client, job.id, ["done", "blocked"]);
      t.equal(done.state, "done", JSON.stringify(done.blocked));
      t.equal(done.files.committed.files, 5);
    });
  });

  await t.test("a bad token blocks the job; fixing the token file and retrying completes it", async (t) => {
    const tokenFile = path.join(h.root, "token-epsilon");
    writeFileSync(tokenFile, "hf_not_known_to_the_hub\n");
    const folder = smallFolder(h.root, "epsilon", 6);
    const job = await add(h, { folder, repo: "user/epsilon", endpoint: emulator.url, tokenFile });
    t.equal(job.options.tokenFile, tokenFile, "the token file's path is shown");
    const blocked = await waitForJob(h.client, job.id, ["blocked", "done"]);
    t.equal(blocked.state, "blocked");
    t.equal(blocked.blocked?.code, "ERR_HUB_UNAUTHORIZED");
    t.notMatch(JSON.stringify(blocked), /hf_not_known_to_the_hub/, "the token is not in the status");
    writeFileSync(tokenFile, `${WRITE_TOKEN}\n`);
    const retried = await h.cli(["retry", String(job.id)]);
    t.equal(retried.code, 0, retried.stderr);
    const done = await waitForJob(h.client, job.id, ["done", "blocked"]);
    t.equal(done.state, "done");
    t.equal(done.blocked, null);
    t.equal(done.files.committed.files, 6);
  });
});
