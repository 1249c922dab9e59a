import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import t from "tap";
import { runCli, spawnCli } from "../helpers/run-cli.js";

const home = mkdtempSync(path.join(tmpdir(), "hubpush-logs-"));
t.teardown(() => rmSync(home, { recursive: true, force: true }));
const env = { HUBPUSH_HOME: home, NO_COLOR: "1" };
const logFile = path.join(home, "logs", "daemon.log");
const record = (msg: string, extra: Record<string, unknown> = {}): string =>
  `${JSON.stringify({ level: 30, time: Date.UTC(2026, 0, 1), pid: 1, hostname: "h", msg, ...extra })}\n`;

t.test("no log yet: says where it would be, exit 0", async (t) => {
  const result = await runCli(["logs"], { env });
  t.equal(result.code, 0);
  t.match(result.stderr, `no log at ${logFile}`);
});

t.test("prints the last records, pretty or raw", async (t) => {
  mkdirSync(path.dirname(logFile), { recursive: true });
  writeFileSync(logFile, [1, 2, 3, 4, 5].map((i) => record(`message ${i}`, { jobId: i })).join(""));
  const all = await runCli(["logs"], { env });
  t.equal(all.code, 0);
  t.equal(all.stdout.split("\n").filter(Boolean).length, 5);
  t.match(all.stdout, "2026-01-01T00:00:00.000Z INFO  message 1 jobId=1\n");
  const last = await runCli(["logs", "--lines", "2"], { env });
  t.same(
    last.stdout
      .split("\n")
      .filter(Boolean)
      .map((l) => l.replace(/^.* (message \d).*$/, "$1")),
    ["message 4", "message 5"],
  );
  const raw = await runCli(["logs", "--raw", "-n", "1"], { env });
  t.same(JSON.parse(raw.stdout), JSON.parse(record("message 5", { jobId: 5 })));
});

t.test("--follow prints appended records until SIGINT", async (t) => {
  writeFileSync(logFile, record("before"));
  const child = spawnCli(["logs", "--follow"], { env });
  let out = "";
  const waiters: Array<{ text: string; resolve: () => void }> = [];
  child.stdout?.on("data", (chunk: Buffer) => {
    out += chunk.toString("utf8");
    for (const w of waiters.filter((w) => out.includes(w.text))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  });
  const seen = (text: string): Promise<void> =>
    out.includes(text) ? Promise.resolve() : new Promise((resolve) => waiters.push({ text, resolve }));
  await seen("before");
  appendFileSync(logFile, record("after", { repo: "alice/model" }));
  await seen("after repo=alice/model");
  // A truncated (rotated) file is read again from its start.
  writeFileSync(logFile, record("rotated"));
  await seen("rotated");
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  child.kill("SIGINT");
  t.equal(await exit, 0);
});
