import { once } from "node:events";
import { mkdirSync, statSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import t, { type Test } from "tap";
import { HubpushError } from "../../common/hubpush-error.js";
import type { JobStatusJson } from "../../daemon/job-status-json.js";
import type { EventRecord } from "../../storage/journal.js";
import { startControlFixture } from "./fixtures/control-fixture.js";
import { errorCode, rawRequest } from "./fixtures/raw-request.js";

async function rejectsWith(t: Test, p: Promise<unknown>, code: string): Promise<HubpushError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  t.ok(err instanceof HubpushError, `rejects with a HubpushError (${code})`);
  t.equal((err as HubpushError).code, code);
  return err as HubpushError;
}

t.test("version, and a socket only its owner may use", async (t) => {
  const f = await startControlFixture();
  t.teardown(() => f.close());
  const v = await f.client.request<{
    version: string;
    pid: number;
    home: string;
    node: string;
    startedAt: string;
  }>("GET", "/v1/version");
  t.equal(v.pid, process.pid);
  t.equal(v.home, f.dir);
  t.equal(v.version, "0.0.0-test");
  t.equal(v.node, process.version);
  t.ok(!Number.isNaN(Date.parse(v.startedAt)));
  t.equal(statSync(f.socket).mode & 0o777, 0o600, "socket mode 0600");
});

t.test("malformed input gets 4xx answers with codes and the server keeps answering", async (t) => {
  const f = await startControlFixture();
  t.teardown(() => f.close());
  const bad = await rawRequest(f.socket, "POST", "/v1/jobs/add", "{not json", {
    "content-type": "application/json",
  });
  t.equal(bad.status, 400);
  t.equal(errorCode(bad), "ERR_CONTROL_BAD_REQUEST");
  t.match((bad.json as { error: { message: string; retryable: boolean } }).error, {
    message: /not valid JSON/,
    retryable: false,
  });

  const big = Buffer.alloc(2 * 1024 * 1024, 0x20);
  const tooLarge = await rawRequest(f.socket, "POST", "/v1/settings/update", big);
  t.equal(tooLarge.status, 413, "a declared oversized body is refused");
  t.equal(errorCode(tooLarge), "ERR_CONTROL_BODY_TOO_LARGE");
  const chunked = await rawRequest(f.socket, "POST", "/v1/settings/update", big, {
    "transfer-encoding": "chunked",
  });
  t.equal(chunked.status, 413, "a chunked oversized body is refused too");

  const unknown = await rawRequest(f.socket, "GET", "/v1/nothing/here");
  t.equal(unknown.status, 404);
  t.equal(errorCode(unknown), "ERR_CONTROL_NOT_FOUND");
  const wrongMethod = await rawRequest(f.socket, "GET", "/v1/jobs/pause");
  t.equal(wrongMethod.status, 404);
  t.match(wrongMethod.text, /use POST/);
  t.equal((await rawRequest(f.socket, "GET", "//weird/../v1/version?x=%zz")).status, 404);

  await rejectsWith(t, f.client.request("GET", "/v1/jobs/get?id=42"), "ERR_JOB_NOT_FOUND");
  await rejectsWith(t, f.client.request("POST", "/v1/jobs/pause", { id: 42 }), "ERR_JOB_NOT_FOUND");
  await rejectsWith(t, f.client.request("GET", "/v1/jobs/get?id=abc"), "ERR_CONTROL_BAD_REQUEST");
  await rejectsWith(t, f.client.request("POST", "/v1/jobs/retry", { id: -1 }), "ERR_CONTROL_BAD_REQUEST");
  await rejectsWith(t, f.client.request("POST", "/v1/jobs/cancel", [1]), "ERR_CONTROL_BAD_REQUEST");
  await rejectsWith(t, f.client.request("GET", "/v1/events/list?since=-3"), "ERR_CONTROL_BAD_REQUEST");

  const folder = path.join(f.dir, "data");
  mkdirSync(folder);
  await rejectsWith(
    t,
    f.client.request("POST", "/v1/jobs/add", { folder, repo: "bad repo" }),
    "ERR_REPO_ID_INVALID",
  );
  await rejectsWith(
    t,
    f.client.request("POST", "/v1/jobs/add", { folder: path.join(f.dir, "missing"), repo: "user/x" }),
    "ERR_FOLDER_NOT_FOUND",
  );
  const relative = await rejectsWith(
    t,
    f.client.request("POST", "/v1/jobs/add", { folder: "data", repo: "user/x" }),
    "ERR_CONTROL_BAD_REQUEST",
  );
  t.match(relative.message, /absolute path/);
  await rejectsWith(t, f.client.request("POST", "/v1/jobs/add", "folder"), "ERR_CONTROL_BAD_REQUEST");
  await rejectsWith(
    t,
    f.client.request("POST", "/v1/jobs/add", { folder, repo: "user/x", include: "*.bin" }),
    "ERR_CONTROL_BAD_REQUEST",
  );

  await rejectsWith(
    t,
    f.client.request("POST", "/v1/settings/update", { uploadWorkers: 0 }),
    "ERR_CONTROL_BAD_REQUEST",
  );
  await rejectsWith(
    t,
    f.client.request("POST", "/v1/settings/update", { colour: "red" }),
    "ERR_CONTROL_BAD_REQUEST",
  );
  t.same(f.journal.jobs.list(), [], "nothing was created by the refused requests");
  const v = await f.client.request<{ pid: number }>("GET", "/v1/version");
  t.equal(v.pid, process.pid, "still answering after all that");
});

t.test("a client that never finishes its headers is dropped", async (t) => {
  const f = await startControlFixture({
    control: { headersTimeoutMs: 300, requestTimeoutMs: 600, checkIntervalMs: 50 },
  });
  t.teardown(() => f.close());
  const socket = net.connect(f.socket);
  let received = "";
  socket.setEncoding("utf8").on("data", (chunk: string) => {
    received += chunk;
  });
  socket.write("GET /v1/version HTTP/1.1\r\nHost: localhost\r\n");
  await once(socket, "close");
  t.match(received, /^HTTP\/1\.1 408/, "answered 408 and closed");
  t.equal((await f.client.request<{ pid: number }>("GET", "/v1/version")).pid, process.pid);
});

t.test("jobs: add (created, then found), get, list, pause, resume, cancel", async (t) => {
  const f = await startControlFixture();
  t.teardown(() => f.close());
  const folder = path.join(f.dir, "data");
  mkdirSync(folder);
  writeFileSync(path.join(folder, "a.txt"), "hello");
  const first = await f.client.request<{ job: JobStatusJson; created: boolean }>("POST", "/v1/jobs/add", {
    folder,
    repo: "user/jobs",
  });
  t.equal(first.created, true);
  t.equal(first.job.folder, folder);
  t.equal(first.job.repo.endpoint, "http://127.0.0.1:9", "the daemon's default endpoint");
  const again = await f.client.request<{ job: JobStatusJson; created: boolean }>("POST", "/v1/jobs/add", {
    folder,
    repo: "user/jobs",
  });
  t.equal(again.created, false);
  t.equal(again.job.id, first.job.id);
  const id = first.job.id;
  t.equal((await f.client.request<{ job: JobStatusJson }>("GET", `/v1/jobs/get?id=${id}`)).job.id, id);
  t.same(
    (await f.client.request<{ jobs: JobStatusJson[] }>("GET", "/v1/jobs/list")).jobs.map((j) => j.id),
    [id],
  );
  t.equal(
    (await f.client.request<{ job: JobStatusJson }>("POST", "/v1/jobs/pause", { id })).job.state,
    "paused",
  );
  t.equal(
    (await f.client.request<{ job: JobStatusJson }>("POST", "/v1/jobs/resume", { id: String(id) })).job.state,
    "active",
  );
  t.equal(
    (await f.client.request<{ job: JobStatusJson }>("POST", "/v1/jobs/cancel", { id })).job.state,
    "cancelled",
  );
  await rejectsWith(t, f.client.request("POST", "/v1/jobs/resume", { id }), "ERR_JOB_STATE");
});

t.test("settings: get and update", async (t) => {
  const f = await startControlFixture();
  t.teardown(() => f.close());
  const before = await f.client.request<{ settings: { uploadWorkers: number } }>("GET", "/v1/settings/get");
  t.equal(before.settings.uploadWorkers, 4);
  const after = await f.client.request<{
    settings: { uploadWorkers: number; maxRateBytesPerSec: number | null };
  }>("POST", "/v1/settings/update", { uploadWorkers: 2, maxRateBytesPerSec: 1_000_000 });
  t.match(after.settings, { uploadWorkers: 2, maxRateBytesPerSec: 1_000_000 });
  const unlimited = await f.client.request<{ settings: { maxRateBytesPerSec: number | null } }>(
    "POST",
    "/v1/settings/update",
    { maxRateBytesPerSec: null },
  );
  t.equal(unlimited.settings.maxRateBytesPerSec, null);
});

t.test("events: list and stream from since, ids +1, following new events, job filter", async (t) => {
  const f = await startControlFixture();
  t.teardown(() => f.close());
  const { job } = f.journal.jobs.upsert(
    {
      folder: f.dir,
      endpoint: "http://127.0.0.1:9",
      repoType: "model",
      repoId: "user/ev",
      revision: "main",
      pathInRepo: "",
    },
    {
      include: [],
      exclude: [],
      message: "m",
      visibility: "default",
      spaceSdk: null,
      tokenFile: null,
      watch: false,
      everyMinutes: null,
      deleteRemote: false,
    },
  );
  for (let i = 0; i < 5; i++) f.journal.events.append("job.retried", null, { files: i });
  const list = await f.client.request<{ events: EventRecord[]; lastId: number }>(
    "GET",
    "/v1/events/list?since=2&limit=2",
  );
  t.same(
    list.events.map((e) => e.id),
    [3, 4],
  );
  t.equal(list.lastId, 5);

  const seen: EventRecord[] = [];
  const abort = new AbortController();
  let wake: () => void = () => {};
  const streaming = f.client.streamEvents(
    1,
    (e) => {
      seen.push(e);
      if (seen.length === 5) wake();
    },
    abort.signal,
  );
  const fifth = new Promise<void>((resolve) => {
    wake = resolve;
  });
  f.journal.events.append("job.done", job.id, { commits: 1 });
  await fifth;
  t.same(
    seen.map((e) => e.id),
    [2, 3, 4, 5, 6],
    "from since+1, consecutive, including one appended while streaming",
  );
  t.match(seen[4], { type: "job.done", jobId: job.id, data: { commits: 1 } });
  abort.abort();
  await streaming;

  const filtered: EventRecord[] = [];
  const abort2 = new AbortController();
  const done = f.client.streamEvents(
    0,
    (e) => {
      filtered.push(e);
      abort2.abort();
    },
    abort2.signal,
    { jobId: job.id },
  );
  await done;
  t.same(
    filtered.map((e) => e.id),
    [6],
    "only that job's events",
  );
});

t.test("closing the server ends event streams after the last events", async (t) => {
  const f = await startControlFixture();
  f.journal.events.append("job.resumed", null, {});
  const seen: number[] = [];
  let connected: () => void = () => {};
  const first = new Promise<void>((resolve) => {
    connected = resolve;
  });
  const streaming = f.client.streamEvents(
    0,
    (e) => {
      seen.push(e.id);
      connected();
    },
    new AbortController().signal,
  );
  await first;
  // Appended just before the close: delivered by the stream's last pass at the latest.
  f.journal.events.append("job.cancelled", null, {});
  await f.server.close();
  await streaming;
  await f.close();
  t.same(seen, [1, 2], "the stream ended by itself, with every event");
});

t.test("metrics: Prometheus text with per-job, per-state figures and control latencies", async (t) => {
  const f = await startControlFixture();
  t.teardown(() => f.close());
  const folder = path.join(f.dir, "data");
  mkdirSync(folder);
  writeFileSync(path.join(folder, "a.txt"), "hello");
  const { job } = await f.client.request<{ job: JobStatusJson }>("POST", "/v1/jobs/add", {
    folder,
    repo: "user/m",
  });
  await rawRequest(f.socket, "GET", "/v1/nope");
  const res = await rawRequest(f.socket, "GET", "/v1/metrics");
  t.equal(res.status, 200);
  t.match(res.headers["content-type"], /^text\/plain; version=0\.0\.4/);
  const lines = res.text.trimEnd().split("\n");
  for (const line of lines) {
    t.match(
      line,
      /^(# (HELP|TYPE) [a-z_]+ .+|[a-z_]+(\{[^}]*\})? (-?[0-9.e+-]+|\+Inf|NaN))$/,
      `well-formed: ${line}`,
    );
  }
  const text = res.text;
  t.match(text, new RegExp(`hubpush_job_files\\{job="${job.id}",repo="user/m",state="scanned"\\} \\d+`));
  t.match(text, /hubpush_job_bytes\{job="\d+",repo="user\/m",state="committed"\} 0/);
  t.match(text, /hubpush_job_waiting_files\{job="\d+",repo="user\/m"\} \d+/);
  t.match(text, /hubpush_job_state\{job="\d+",repo="user\/m",state="active"\} 1/);
  t.match(text, /hubpush_job_commits_total\{job="\d+",repo="user\/m"\} 0/);
  t.match(text, /hubpush_control_request_duration_seconds_bucket\{route="\/v1\/jobs\/add",le="\+Inf"\} 1/);
  t.match(text, /hubpush_control_requests_total\{route="other",method="GET",status="404"\} 1/);
  t.match(text, /hubpush_control_errors_total\{code="ERR_CONTROL_NOT_FOUND"\} 1/);
  t.notMatch(text, /hf_fixture/, "no token");
});

t.test("shutdown answers 202 and then asks for the stop", async (t) => {
  const f = await startControlFixture();
  t.teardown(() => f.close());
  const res = await rawRequest(f.socket, "POST", "/v1/daemon/shutdown");
  t.equal(res.status, 202);
  t.same(res.json, { ok: true });
  t.equal(f.shutdowns, 1);
  f.server.beginStopping();
  await rejectsWith(t, f.client.request("POST", "/v1/settings/update", {}), "ERR_DAEMON_NOT_RUNNING");
  t.equal(
    (await f.client.request<{ pid: number }>("GET", "/v1/version")).pid,
    process.pid,
    "reads still work",
  );
});

t.test("the control client reports a missing daemon in words the CLI can print", async (t) => {
  const f = await startControlFixture();
  const socket = f.socket;
  await f.close();
  const { ControlClient } = await import("../../daemon/control-client.js");
  const client = new ControlClient(socket);
  t.teardown(() => client.close());
  const err = await rejectsWith(t, client.request("GET", "/v1/version"), "ERR_DAEMON_NOT_RUNNING");
  t.equal(err.message, "daemon not running — start it with `hubpush daemon start`");
  await rejectsWith(
    t,
    client.streamEvents(0, () => {}, new AbortController().signal),
    "ERR_DAEMON_NOT_RUNNING",
  );
});
