import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import t from "tap";
import { HubpushError } from "../../common/hubpush-error.js";
import { DaemonLock } from "../../daemon/daemon-lock.js";
import { processIdentity } from "../../daemon/process-identity.js";
import { REPO_ROOT } from "../helpers/run-cli.js";

const CONTENDER = path.join(REPO_ROOT, "test/daemon/fixtures/lock-contender.ts");

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await once(child, "exit");
  return child.pid ?? 0;
}

function sleeper(): ChildProcess {
  return spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
}

t.test("acquire writes our pid, refuses a second holder naming the pid, release removes it", async (t) => {
  const lockPath = path.join(t.testdir(), "daemon.lock");
  const lock = DaemonLock.acquire(lockPath);
  t.equal(readFileSync(lockPath, "utf8").split("\n")[0], String(process.pid));
  t.equal(DaemonLock.holder(lockPath), process.pid);
  const err = t.throws(() => DaemonLock.acquire(lockPath)) as unknown;
  t.ok(err instanceof HubpushError);
  t.equal((err as HubpushError).code, "ERR_DAEMON_RUNNING");
  t.match((err as HubpushError).message, new RegExp(`pid ${process.pid}`));
  lock.release();
  t.notOk(existsSync(lockPath), "released lock is gone");
  t.equal(DaemonLock.holder(lockPath), null);
  lock.release();
  t.pass("release is idempotent");
});

t.test("a lock of a dead pid is stale and taken over", async (t) => {
  const lockPath = path.join(t.testdir(), "daemon.lock");
  writeFileSync(lockPath, `${await deadPid()}\n`);
  t.equal(DaemonLock.holder(lockPath), null, "a dead pid holds nothing");
  const lock = DaemonLock.acquire(lockPath);
  t.equal(DaemonLock.holder(lockPath), process.pid);
  lock.release();
});

t.test("a live pid is refused; the same pid with another identity (reused pid) is stale", async (t) => {
  const child = sleeper();
  t.teardown(() => child.kill("SIGKILL"));
  await once(child, "spawn");
  const pid = child.pid ?? 0;
  const lockPath = path.join(t.testdir(), "daemon.lock");
  writeFileSync(lockPath, `${pid}\n${processIdentity(pid) ?? ""}\n`);
  const err = t.throws(() => DaemonLock.acquire(lockPath)) as HubpushError;
  t.equal(err.code, "ERR_DAEMON_RUNNING");
  t.match(err.message, new RegExp(`pid ${pid}\\b`));
  t.equal(DaemonLock.holder(lockPath), pid);
  if (processIdentity(pid) === null) return;
  writeFileSync(lockPath, `${pid}\nsome-other-boot/12345\n`);
  t.equal(DaemonLock.holder(lockPath), null, "pid reused by an unrelated process");
  DaemonLock.acquire(lockPath).release();
});

t.test("garbage content and a lock left by an earlier process with our pid are stale", async (t) => {
  const lockPath = path.join(t.testdir(), "daemon.lock");
  writeFileSync(lockPath, "not a pid\n");
  DaemonLock.acquire(lockPath).release();
  writeFileSync(lockPath, `${process.pid}\n`);
  t.equal(DaemonLock.holder(lockPath), null, "our pid, but not a lock this process holds");
  DaemonLock.acquire(lockPath).release();
  t.notOk(existsSync(lockPath));
});

t.test("release leaves a lock that is no longer ours alone", async (t) => {
  const lockPath = path.join(t.testdir(), "daemon.lock");
  const lock = DaemonLock.acquire(lockPath);
  writeFileSync(lockPath, "999999\n");
  lock.release();
  t.equal(readFileSync(lockPath, "utf8"), "999999\n");
});

t.test("processes racing for a stale lock: exactly one wins, the others are told it runs", async (t) => {
  const lockPath = path.join(t.testdir(), "daemon.lock");
  writeFileSync(lockPath, `${await deadPid()}\n`);
  const contenders = Array.from({ length: 8 }, () =>
    spawn(process.execPath, ["--import", "tsx", CONTENDER, lockPath], {
      cwd: REPO_ROOT,
      stdio: ["pipe", "pipe", "inherit"],
    }),
  );
  t.teardown(() => {
    for (const c of contenders) c.kill("SIGKILL");
  });
  const lines = contenders.map((c) => {
    const queue: string[] = [];
    const waiting: Array<(line: string) => void> = [];
    let buffer = "";
    c.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      buffer += chunk;
      for (let i = buffer.indexOf("\n"); i !== -1; i = buffer.indexOf("\n")) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 1);
        const next = waiting.shift();
        if (next) next(line);
        else queue.push(line);
      }
    });
    return () =>
      new Promise<string>((resolve) => {
        const line = queue.shift();
        if (line !== undefined) resolve(line);
        else waiting.push(resolve);
      });
  });
  t.same(
    await Promise.all(lines.map((next) => next())),
    contenders.map(() => "ready"),
  );
  for (const c of contenders) c.stdin?.write("go\n");
  const outcomes = await Promise.all(lines.map((next) => next()));
  t.equal(outcomes.filter((o) => o === "won").length, 1, `one winner among ${outcomes.join(", ")}`);
  t.equal(outcomes.filter((o) => o === "lost ERR_DAEMON_RUNNING").length, 7);
  for (const c of contenders) c.stdin?.end();
  await Promise.all(contenders.map((c) => once(c, "exit")));
  t.notOk(existsSync(lockPath), "the winner released it");
});
