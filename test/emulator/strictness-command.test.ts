import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import t from "tap";
import { http } from "./helpers.js";

// `hubpush emulator …` as a real process: URL on the first stdout line, clean exit on SIGTERM.
const commandModule = resolve(import.meta.dirname, "../../emulator/emulator-command.ts");

function launch(dir: string, args: string[]): ChildProcess {
  const script = join(dir, "run.mts");
  writeFileSync(
    script,
    `import { emulatorCommand } from ${JSON.stringify(commandModule)};\nprocess.exitCode = await emulatorCommand(process.argv.slice(2));\n`,
  );
  return spawn(process.execPath, ["--import", "tsx", script, ...args], {
    cwd: resolve(import.meta.dirname, "../.."),
    stdio: ["ignore", "pipe", "pipe"],
  });
}

async function firstLine(child: ChildProcess): Promise<string> {
  if (!child.stdout) throw new Error("no stdout");
  const lines = createInterface({ input: child.stdout });
  const [line] = (await once(lines, "line")) as [string];
  return line;
}

t.test("prints the URL first, serves, and exits 0 on SIGTERM", async (t) => {
  const dir = t.testdir({});
  const dataDir = join(dir, "data");
  const child = launch(dir, [
    "--port",
    "0",
    "--data-dir",
    dataDir,
    "--token",
    "hf_cmd:write:alice",
    "--lfs-threshold",
    "5",
  ]);
  t.teardown(() => {
    if (child.exitCode === null) child.kill("SIGKILL");
  });
  const url = await firstLine(child);
  t.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
  const who = await http(url, "/api/whoami-v2", { token: "hf_cmd" });
  t.equal(who.json<{ name: string }>().name, "alice");
  const created = await http(url, "/api/repos/create", {
    token: "hf_cmd",
    json: { name: "r", organization: "alice" },
  });
  t.equal(created.status, 200);
  const pre = await http(url, "/api/models/alice/r/preupload/main", {
    token: "hf_cmd",
    json: { files: [{ path: "six.txt", sample: "", size: 6 }] },
  });
  t.equal(
    pre.json<{ files: { uploadMode: string }[] }>().files[0]?.uploadMode,
    "lfs",
    "--lfs-threshold applies",
  );
  t.ok(existsSync(join(dataDir, "metadata.sqlite")), "data dir used");
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  const [code] = (await exited) as [number | null];
  t.equal(code, 0);
});

t.test("a bad flag is a usage error (exit 2)", async (t) => {
  const child = launch(t.testdir({}), ["--port", "nope"]);
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const [code] = (await once(child, "exit")) as [number | null];
  t.equal(code, 2);
  t.match(stderr, /--port must be a non-negative integer/);
});
