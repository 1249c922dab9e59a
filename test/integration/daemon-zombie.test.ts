import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import t, { type Test } from "tap";
import { processState } from "../../daemon/process-identity.js";
import { CLI_ENTRY, REPO_ROOT, runCli } from "../helpers/run-cli.js";

// Issue 12 §9: a daemon killed with SIGKILL is a zombie until its parent reaps it; `/proc` still
// shows its pid. `daemon start` right after `kill -9` must succeed, with and without a reaping parent.

async function until<T>(what: string, probe: () => T | null, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function lockPid(home: string): number | null {
  try {
    const pid = Number(readFileSync(path.join(home, "daemon.lock"), "utf8").split("\n")[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** A short HUBPUSH_HOME: the control socket's path must fit a Unix socket's 107 bytes. */
function shortHome(t: Test): string {
  const root = mkdtempSync(path.join(tmpdir(), "hp-z-"));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  return path.join(root, "s");
}

async function daemonUp(env: NodeJS.ProcessEnv): Promise<void> {
  const deadline = Date.now() + 30_000;
  while ((await runCli(["daemon", "status"], { env })).code !== 0) {
    if (Date.now() > deadline) throw new Error("the daemon did not come up");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

t.test("kill -9 under a parent that never reaps: the zombie holds nothing, start succeeds", async (t) => {
  const home = shortHome(t);
  const env = { HUBPUSH_HOME: home, NO_COLOR: "1" };
  // `exec sleep` makes sleep the daemon's parent: sleep never calls wait(), so the killed daemon
  // stays in state Z for as long as the sleep runs.
  const script = `"${process.execPath}" --import tsx "${CLI_ENTRY}" daemon run --log-file "${path.join(home, "run.log")}" >/dev/null 2>&1 & exec sleep 120`;
  const parent = spawn("sh", ["-c", script], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: "ignore",
  });
  t.teardown(() => {
    parent.kill("SIGKILL");
  });
  await daemonUp(env);
  const pid = await until("the lock", () => lockPid(home));
  process.kill(pid, "SIGKILL");
  const state = await until("the zombie", () => (processState(pid) === "Z" ? "Z" : null), 10_000);
  t.equal(state, "Z", "the killed daemon is a zombie, its pid still in /proc");
  const started = await runCli(["daemon", "start"], { env });
  t.equal(started.code, 0, started.stderr);
  t.match(started.stdout, /daemon started \(pid \d+\)/);
  t.equal(processState(pid), "Z", "it was still a zombie when start succeeded");
  t.equal((await runCli(["daemon", "stop"], { env })).code, 0);
});

t.test("kill -9 with a reaping parent: start right away succeeds", async (t) => {
  const home = shortHome(t);
  const env = { HUBPUSH_HOME: home, NO_COLOR: "1" };
  const first = await runCli(["daemon", "start"], { env });
  t.equal(first.code, 0, first.stderr);
  const pid = await until("the lock", () => lockPid(home));
  process.kill(pid, "SIGKILL");
  const again = await runCli(["daemon", "start"], { env });
  t.equal(again.code, 0, again.stderr);
  t.equal((await runCli(["daemon", "stop"], { env })).code, 0);
});
