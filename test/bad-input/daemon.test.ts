import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import t from "tap";
import type { JobStatusJson } from "../../daemon/job-status-json.js";
import type { EventRecord } from "../../storage/journal.js";
import {
  collect,
  exited,
  leaveStaleSocket,
  makeDaemonHome,
  waitForJob,
} from "../daemon/fixtures/daemon-home.js";
import { errorCode, rawRequest } from "../daemon/fixtures/raw-request.js";
import { writeTree } from "../helpers/folder-tree.js";
import { startUploadEnv, WRITE } from "./upload-env.js";

// The daemon's state directory: a stale socket, a second daemon, bad job input and a socket path
// too long are refused with their code, and never disturb the daemon that runs or its jobs.
// Inline files up to 1 MiB, but the Hub takes only 4 KiB inline: a bigger text file is refused.
const u = await startUploadEnv({ lfsThresholdBytes: 1024 * 1024, regularMaxBytes: 4 * 1024 });
t.teardown(() => u.close());
const h = makeDaemonHome();
t.teardown(async () => {
  await h.cli(["daemon", "stop"]);
  await h.cleanup();
});
const folder = path.join(h.root, "data");
writeTree(folder, { "a.txt": "a", "b/c.txt": "c" });

const DOWN = "hubpush: daemon not running — start it with `hubpush daemon start` (ERR_DAEMON_NOT_RUNNING)\n";

t.test("a stale socket is not a daemon: exit 5, and `daemon start` takes its place", async (t) => {
  mkdirSync(h.paths.home, { recursive: true, mode: 0o700 });
  await leaveStaleSocket(h.paths.socket);
  const add = await h.cli(["add", folder, "--repo", "user/stale", "--endpoint", u.emulator.url]);
  t.equal(add.code, 5, "nothing is queued into nowhere");
  t.equal(add.stderr, DOWN);
  const pid = await h.start({ HF_TOKEN: WRITE });
  t.equal((await h.client.request<{ pid: number }>("GET", "/v1/version")).pid, pid, "the new daemon answers");
});

t.test("a second daemon is refused naming the first; the first goes on working", async (t) => {
  const { pid } = await h.client.request<{ pid: number }>("GET", "/v1/version");
  const again = await h.cli(["daemon", "start"]);
  t.equal(again.code, 1);
  t.match(again.stderr, `pid ${pid}`);
  const second = h.run();
  const out = collect(second);
  t.equal((await exited(second)).code, 1, "`daemon run` beside it exits 1");
  t.match(out.text(), `another hubpush process (pid ${pid}) already uses this state directory`);
  t.match(out.text(), "ERR_DAEMON_RUNNING");
  const upload = await h.cli(["upload", folder, "--repo", "user/second", "--endpoint", u.emulator.url]);
  t.equal(upload.code, 2, "`upload` refuses to drive the daemon's journal");
  t.match(upload.stderr, "give it the folder with `hubpush add");
  const add = await h.cli(["add", folder, "--repo", "user/second", "--endpoint", u.emulator.url]);
  t.equal(add.code, 0, add.stderr);
  const job = await waitForJob(h.client, Number(add.stdout.trim()), ["done", "blocked"]);
  t.equal(job.state, "done");
  t.same(await u.remotePaths("user/second"), ["a.txt", "b/c.txt"]);
});

t.test("bad job input over the control API: 400 with the specific code, nothing added", async (t) => {
  const before = (await h.client.request<{ jobs: unknown[] }>("GET", "/v1/jobs/list")).jobs.length;
  const cases: Array<[Record<string, unknown>, string, RegExp]> = [
    [{ folder: path.join(h.root, "nope"), repo: "user/x" }, "ERR_FOLDER_NOT_FOUND", /does not exist/],
    [{ folder, repo: "not a repo" }, "ERR_REPO_ID_INVALID", /not a valid repo id/],
    [{ folder, repo: "user/x", revision: "a..b" }, "ERR_REVISION_INVALID", /not a valid branch name/],
    [{ folder, repo: "user/x", repoType: "kernel" }, "ERR_REPO_TYPE_INVALID", /model, dataset, space/],
    [{ folder, repo: "user/x", pathInRepo: "../x" }, "ERR_PATH_IN_REPO_INVALID", /contains "\.\."/],
    [{ folder, repo: "user/x", pathInRepo: "/x" }, "ERR_PATH_IN_REPO_INVALID", /is absolute/],
    [{ folder, repo: "user/x", endpoint: "ftp://hub" }, "ERR_ENDPOINT_INVALID", /http/],
  ];
  for (const [body, code, message] of cases) {
    const answer = await rawRequest(h.paths.socket, "POST", "/v1/jobs/add", JSON.stringify(body));
    t.equal(answer.status, 400, code);
    t.equal(errorCode(answer), code);
    t.match(answer.json, { error: { code, message, retryable: false } });
  }
  const after = (await h.client.request<{ jobs: unknown[] }>("GET", "/v1/jobs/list")).jobs.length;
  t.equal(after, before, "no job was added");
});

t.test("a socket path too long: exit 3 saying to shorten HUBPUSH_HOME, nothing created", async (t) => {
  const long = path.join(h.root, "x".repeat(120));
  for (const args of [
    ["daemon", "start"],
    ["add", folder, "--repo", "user/x"],
  ]) {
    const result = await h.cli(args, { HUBPUSH_HOME: long });
    t.equal(result.code, 3, args.join(" "));
    t.match(
      result.stderr,
      /the control socket path .* is \d+ bytes, over the \d+-byte limit of Unix sockets/,
    );
    t.match(result.stderr, "set HUBPUSH_HOME to a shorter path (ERR_SOCKET_PATH_TOO_LONG)");
  }
  t.notOk(existsSync(long), "no state directory was made there");
  const jobs = (await h.client.request<{ jobs: unknown[] }>("GET", "/v1/jobs/list")).jobs;
  t.equal(jobs.length, 1, "the running daemon is unaffected");
});

t.test(
  "a file the Hub refuses, through the daemon: counted failed in status --json, named in events",
  async (t) => {
    const refused = path.join(h.root, "refused");
    writeTree(refused, { "ok.txt": "ok", "too-big.txt": "y".repeat(8 * 1024) });
    const add = await h.cli(["add", refused, "--repo", "user/refused", "--endpoint", u.emulator.url]);
    t.equal(add.code, 0, add.stderr);
    const id = Number(add.stdout.trim());
    await waitForJob(h.client, id, ["done", "blocked"]);
    const status = await h.cli(["status", String(id), "--json"]);
    t.equal(status.code, 0, status.stderr);
    const job = JSON.parse(status.stdout) as JobStatusJson;
    t.match(job, { state: "done", files: { committed: { files: 1 }, failed: { files: 1 } } });
    t.equal(job.lastError?.code, "ERR_HUB_BAD_REQUEST");
    const { events } = await h.client.request<{ events: EventRecord[] }>(
      "GET",
      `/v1/events/list?since=0&limit=1000`,
    );
    const failed = events.find((e) => e.jobId === id && e.type === "file.failed");
    t.match(failed?.data, { path: "too-big.txt", code: "ERR_HUB_BAD_REQUEST" }, "the event names the file");
    t.same(await u.remotePaths("user/refused"), ["ok.txt"]);
    const text = await h.cli(["status", String(id)]);
    t.match(text.stdout, "too-big.txt", "`status JOB` names the failed file");
    t.match(
      job.failures,
      [{ path: "too-big.txt", code: "ERR_HUB_BAD_REQUEST" }],
      "and so does status --json",
    );
  },
);
