import { once } from "node:events";
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from "node:fs";
import net from "node:net";
import t from "tap";
import { daemonStatus, stopDaemon } from "../../daemon/daemon-command.js";
import { DaemonLock } from "../../daemon/daemon-lock.js";
import { collect, exited, leaveStaleSocket, makeDaemonHome, waitFor } from "./fixtures/daemon-home.js";
import { errorCode, rawRequest } from "./fixtures/raw-request.js";

const mode = (p: string) => statSync(p).mode & 0o777;

t.test("start, status, a second daemon refused naming the pid, stop", async (t) => {
  const h = makeDaemonHome();
  t.teardown(() => h.cleanup());
  const down = await h.cli(["daemon", "status"]);
  t.equal(down.code, 5, "status exits 5 when nothing runs");

  const pid = await h.start();
  const status = await h.cli(["daemon", "status"]);
  t.equal(status.code, 0);
  t.match(status.stdout, new RegExp(`running[\\s\\S]*pid: ${pid}`));
  t.equal(readFileSync(h.paths.lock, "utf8").split("\n")[0], String(pid), "the lock names the daemon");

  const again = await h.cli(["daemon", "start"]);
  t.not(again.code, 0, "a second start fails");
  t.match(again.stderr, new RegExp(`pid ${pid}`), "and names the running pid");

  const second = h.run();
  const secondOut = collect(second);
  const { code } = await exited(second);
  t.equal(code, 1, "a second `daemon run` exits 1 (ERR_DAEMON_RUNNING)");
  t.match(secondOut.text(), new RegExp(`pid ${pid}`), "naming the pid");
  t.ok(existsSync(h.paths.socket), "the running daemon's socket was left alone");
  t.equal((await h.client.request<{ pid: number }>("GET", "/v1/version")).pid, pid, "and it still answers");

  const malformed = await rawRequest(h.paths.socket, "POST", "/v1/jobs/add", "{oops");
  t.equal(malformed.status, 400);
  t.equal(errorCode(malformed), "ERR_CONTROL_BAD_REQUEST");
  const oversized = await rawRequest(
    h.paths.socket,
    "POST",
    "/v1/jobs/add",
    Buffer.alloc(1024 * 1024 + 1, 0x20),
  );
  t.equal(oversized.status, 413);
  t.equal(errorCode(oversized), "ERR_CONTROL_BODY_TOO_LARGE");
  const unknownRoute = await rawRequest(h.paths.socket, "GET", "/v2/anything");
  t.equal(unknownRoute.status, 404);
  t.equal(errorCode(unknownRoute), "ERR_CONTROL_NOT_FOUND");
  const unknownJob = await rawRequest(h.paths.socket, "POST", "/v1/jobs/retry", '{"id": 77}');
  t.equal(unknownJob.status, 404);
  t.equal(errorCode(unknownJob), "ERR_JOB_NOT_FOUND");
  t.equal(
    (await h.client.request<{ pid: number }>("GET", "/v1/version")).pid,
    pid,
    "the daemon still answers",
  );

  const stop = await h.cli(["daemon", "stop"]);
  t.equal(stop.code, 0);
  t.match(stop.stdout, /stopped/);
  t.notOk(existsSync(h.paths.socket), "socket removed");
  t.notOk(existsSync(h.paths.lock), "lock removed");
  const log = readFileSync(h.paths.logFile, "utf8");
  t.match(log, /"msg":"daemon started"/);
  t.match(log, /"msg":"daemon stopped"/);
  t.match(await daemonStatus(h.paths), { running: false, pid: null });
  t.equal(await stopDaemon(h.paths), false, "stopping nothing is fine");
});

t.test("recovers a stale lock and socket, tightens modes, reopens its log on SIGHUP", async (t) => {
  const h = makeDaemonHome();
  t.teardown(() => h.cleanup());
  mkdirSync(h.paths.home, { recursive: true });
  chmodSync(h.paths.home, 0o755);
  await leaveStaleSocket(h.paths.socket);
  t.ok(lstatSync(h.paths.socket).isSocket(), "a stale socket file is there");
  writeFileSync(h.paths.lock, "999999999\n");
  t.equal(DaemonLock.holder(h.paths.lock), null, "held by a dead pid");

  const pid = await h.start();
  t.equal((await h.client.request<{ pid: number }>("GET", "/v1/version")).pid, pid, "the new daemon answers");
  t.equal(readFileSync(h.paths.lock, "utf8").split("\n")[0], String(pid), "and holds the lock");
  t.equal(mode(h.paths.home), 0o700, "state dir tightened to 0700");
  t.equal(mode(h.paths.logDir), 0o700, "log dir 0700");
  t.equal(mode(h.paths.socket), 0o600, "socket 0600");
  t.equal(mode(h.paths.journal), 0o600, "journal 0600");
  t.equal(mode(h.paths.logFile), 0o600, "log file 0600");
  t.equal(mode(h.paths.lock), 0o600, "lock 0600");
  t.match(readFileSync(h.paths.logFile, "utf8"), /"mode":"755".*"msg":"state dir mode tightened"/);

  // logrotate: move the file away, SIGHUP, and the daemon writes to a fresh file at the same path.
  renameSync(h.paths.logFile, `${h.paths.logFile}.1`);
  process.kill(pid, "SIGHUP");
  await waitFor("the SIGHUP to be handled", () =>
    readFileSync(`${h.paths.logFile}.1`, "utf8").includes("reopening log file") ? true : undefined,
  );
  t.equal((await h.cli(["daemon", "stop"])).code, 0);
  t.match(readFileSync(h.paths.logFile, "utf8"), /"msg":"daemon stopped"/, "later lines go to the new file");
  t.notMatch(readFileSync(`${h.paths.logFile}.1`, "utf8"), /daemon stopped/);
});

t.test(
  "daemon run: logs to stdout; SIGTERM drains and removes socket and lock; SIGHUP is harmless",
  async (t) => {
    const h = makeDaemonHome();
    t.teardown(() => h.cleanup());
    const child = h.run();
    const out = collect(child);
    await waitFor("the socket to answer", () =>
      h.client.request("GET", "/v1/version").catch(() => undefined),
    );
    child.kill("SIGHUP");
    await waitFor("the SIGHUP to be logged", () =>
      out.text().includes("reopening log file") ? true : undefined,
    );
    t.equal(
      (await h.client.request<{ pid: number }>("GET", "/v1/version")).pid,
      child.pid,
      "SIGHUP with stdout logging is harmless",
    );
    child.kill("SIGTERM");
    const { code, signal } = await exited(child);
    t.equal(code, 0, "a graceful stop exits 0");
    t.equal(signal, null);
    t.notOk(existsSync(h.paths.socket), "socket removed");
    t.notOk(existsSync(h.paths.lock), "lock removed");
    const lines = out
      .text()
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as { msg: string });
    t.same(
      lines.map((l) => l.msg).filter((m) => m.startsWith("daemon")),
      ["daemon started", "daemon stopping", "daemon stopped"],
      "pino JSON lines on stdout",
    );
    t.notOk(existsSync(h.paths.logFile), "no log file when logging to stdout");
  },
);

t.test("a second signal while draining aborts at once with exit code 130", async (t) => {
  const h = makeDaemonHome();
  t.teardown(() => h.cleanup());
  // A "Hub" that accepts connections and never answers: the job's first request stays in flight.
  const connected: net.Socket[] = [];
  const silent = net.createServer((socket) => connected.push(socket));
  silent.listen(0, "127.0.0.1");
  await once(silent, "listening");
  t.teardown(() => {
    for (const s of connected) s.destroy();
    silent.close();
  });
  const port = (silent.address() as net.AddressInfo).port;
  const folder = `${h.root}/data`;
  mkdirSync(folder);
  writeFileSync(`${folder}/a.txt`, "a");
  const child = h.run([], { HF_TOKEN: "hf_whatever" });
  const out = collect(child);
  await waitFor("the socket to answer", () => h.client.request("GET", "/v1/version").catch(() => undefined));
  await h.client.request("POST", "/v1/jobs/add", {
    folder,
    repo: "user/stuck",
    endpoint: `http://127.0.0.1:${port}`,
  });
  await waitFor("the job to reach the Hub", () => (connected.length > 0 ? true : undefined));
  child.kill("SIGTERM");
  await waitFor("the drain to begin", () => (out.text().includes("daemon stopping") ? true : undefined));
  t.ok(existsSync(h.paths.lock), "still draining: the in-flight request holds it up");
  child.kill("SIGTERM");
  const { code } = await exited(child);
  t.equal(code, 130, "forced exit");
  t.match(out.text(), /second signal, aborting now/);
  t.notOk(existsSync(h.paths.lock), "the lock is released even on a forced exit");

  // The journal is consistent: a new daemon starts and sees the job, still active.
  for (const s of connected) s.destroy();
  silent.close();
  await h.start({ HF_TOKEN: "hf_whatever" });
  const { jobs } = await h.client.request<{ jobs: Array<{ state: string }> }>("GET", "/v1/jobs/list");
  t.same(
    jobs.map((j) => j.state),
    ["active"],
  );
  await h.cli(["daemon", "stop"]);
});

t.test("a start-up failure is shown by `daemon start`, and leaves no lock behind", async (t) => {
  const h = makeDaemonHome();
  t.teardown(() => h.cleanup());
  mkdirSync(h.paths.home, { recursive: true, mode: 0o700 });
  writeFileSync(h.paths.socket, "someone's data");
  const started = await h.cli(["daemon", "start"]);
  t.equal(started.code, 6, "the exit code of the reason it gave (ERR_STATE_DIR)");
  t.match(started.stderr, /the daemon exited/);
  t.match(started.stderr, "(ERR_STATE_DIR)", "the code of the error the daemon logged");
  t.match(started.stderr, /hubpush\.sock exists and is not a socket/, "with the error the daemon logged");
  t.notOk(existsSync(h.paths.lock), "the lock was released");
  t.equal(readFileSync(h.paths.socket, "utf8"), "someone's data", "the file was left alone");
});
