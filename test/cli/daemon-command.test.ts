import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import t from "tap";
import { startEmulator } from "../../emulator/start-emulator.js";
import { writeTree } from "../helpers/folder-tree.js";
import { listRemoteFiles } from "../helpers/remote-repo.js";
import { runCli, spawnCli } from "../helpers/run-cli.js";

const TOKEN = "hf_cli_daemon";
const root = mkdtempSync(path.join(tmpdir(), "hubpush-cli-d-"));
const emulator = await startEmulator({
  tokens: [`${TOKEN}:write:user`],
  dataDir: path.join(root, "emulator"),
});
const env = { HUBPUSH_HOME: path.join(root, "state"), HF_TOKEN: TOKEN, NO_COLOR: "1" };
const folder = path.join(root, "data");
writeTree(folder, { "a.txt": "a", "b/c.txt": "c", "empty.txt": "" });

t.teardown(async () => {
  // Whatever happened above, leave no daemon behind.
  await runCli(["daemon", "stop"], { env });
  await emulator.close();
  rmSync(root, { recursive: true, force: true });
});

t.test("daemon start, then status says running", async (t) => {
  const start = await runCli(["daemon", "start"], { env });
  t.equal(start.code, 0, start.stderr);
  t.match(start.stdout, /^daemon started \(pid \d+\)/);
  const status = await runCli(["daemon", "status"], { env });
  t.equal(status.code, 0);
  t.match(status.stdout, /^running\npid: \d+\nversion: \S+\nsocket: .*hubpush\.sock\n$/);
  const again = await runCli(["daemon", "start"], { env });
  t.equal(again.code, 1, "a second daemon is refused");
  t.match(again.stderr, "ERR_DAEMON_RUNNING");
});

t.test("upload refuses to run beside the daemon and says to use add", async (t) => {
  const result = await runCli(["upload", folder, "--repo", "user/cli-d", "--endpoint", emulator.url], {
    env,
  });
  t.equal(result.code, 2);
  t.match(result.stderr, `hubpush add ${folder} --repo user/cli-d`);
});

t.test("add prints the job id; status --watch follows it to the end", async (t) => {
  const add = await runCli(["add", folder, "--repo", "user/cli-d", "--endpoint", emulator.url], { env });
  t.equal(add.code, 0, add.stderr);
  t.equal(add.stdout, "1\n", "the job id alone on stdout");
  t.match(add.stderr, "added job 1");
  const watch = await runCli(["status", "1", "--watch", "--progress-interval", "100"], { env });
  t.equal(watch.code, 0, watch.stderr);
  t.match(watch.stdout, /^#1 user\/cli-d \(model@main\) done: done 3\/3 files/m, "ends on the settled job");
  const remote = await listRemoteFiles({ endpoint: emulator.url, id: "user/cli-d", token: TOKEN });
  t.ok(remote.has("b/c.txt") && remote.has("empty.txt"));
  const again = await runCli(["add", folder, "--repo", "user/cli-d", "--endpoint", emulator.url, "--json"], {
    env,
  });
  t.equal(again.code, 0, again.stderr);
  t.equal((JSON.parse(again.stdout) as { id: number }).id, 1, "adding the same folder finds the same job");
});

t.test("status, list and their JSON", async (t) => {
  const one = await runCli(["status", "1", "--json"], { env });
  t.equal(one.code, 0, one.stderr);
  const job = JSON.parse(one.stdout) as { id: number; state: string; repo: { id: string } };
  t.equal(job.id, 1);
  t.equal(job.state, "done");
  t.equal(job.repo.id, "user/cli-d");
  const all = await runCli(["status", "--json"], { env });
  t.equal((JSON.parse(all.stdout) as { jobs: unknown[] }).jobs.length, 1, "no JOB: every job, under jobs");
  const text = await runCli(["status"], { env });
  t.match(text.stdout, /^#1 user\/cli-d \(model@main\) done: /);
  const list = await runCli(["list"], { env });
  t.equal(list.code, 0);
  t.match(list.stdout, /^ID\s+STATE\s+REPO\s+DONE\/TOTAL/);
  t.match(list.stdout, /^1\s+done\s+user\/cli-d@main\s+3\/3$/m);
  const listJson = await runCli(["list", "--json"], { env });
  t.same(
    (JSON.parse(listJson.stdout) as { jobs: Array<{ id: number }> }).jobs.map((j) => j.id),
    [1],
  );
});

t.test("status --watch of all jobs runs until Ctrl-C, then exits 0", async (t) => {
  const child = spawnCli(["status", "--watch", "--progress-interval", "100"], { env });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  let frames = "";
  await new Promise<void>((resolve) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      frames += chunk.toString("utf8");
      // Two frames: it keeps refreshing although the job is settled.
      if (frames.split("\n#1 ").length > 2) resolve();
    });
  });
  child.kill("SIGINT");
  t.equal(await exited, 0);
});

t.test("pause, resume, cancel, and an unknown job", async (t) => {
  const pause = await runCli(["pause", "1"], { env });
  t.equal(pause.code, 0, pause.stderr);
  t.equal(pause.stdout, "job 1 (user/cli-d): paused\n");
  const resume = await runCli(["resume", "1", "--json"], { env });
  t.equal(resume.code, 0, resume.stderr);
  t.match((JSON.parse(resume.stdout) as { state: string }).state, /active|done/);
  const cancel = await runCli(["cancel", "1"], { env });
  t.equal(cancel.stdout, "job 1 (user/cli-d): cancelled\n");
  const unknown = await runCli(["retry", "99"], { env });
  t.equal(unknown.code, 3);
  t.match(unknown.stderr, "(ERR_JOB_NOT_FOUND)");
});

t.test("logs show the daemon's records", async (t) => {
  const logs = await runCli(["logs"], { env });
  t.equal(logs.code, 0);
  t.match(logs.stdout, /^\S+Z INFO {2}daemon started /m);
});

t.test("daemon stop, then status says not running (exit 5)", async (t) => {
  const stop = await runCli(["daemon", "stop"], { env });
  t.equal(stop.code, 0, stop.stderr);
  t.equal(stop.stdout, "daemon stopped\n");
  const status = await runCli(["daemon", "status"], { env });
  t.equal(status.code, 5);
  t.match(status.stdout, /^not running\n/);
  const list = await runCli(["list"], { env });
  t.equal(list.code, 5);
  const again = await runCli(["daemon", "stop"], { env });
  t.equal(again.code, 0);
  t.equal(again.stdout, "daemon not running\n");
});
