import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import t from "tap";
import { startEmulator } from "../../emulator/start-emulator.js";
import { downloadRepo } from "./fixtures/hub-download.js";
import { shortHome } from "./fixtures/short-home.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const TOKEN = "hf_emulator_default";

function run(file: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", file], {
      cwd: ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.on("exit", (code) => resolve({ code, out }));
  });
}

/** Every examples/*.ts runs against the emulator, as docs/library.md tells users to run them. */
t.test("each example runs against the emulator", async (t) => {
  const emulator = await startEmulator({ lfsThresholdBytes: 1024 * 1024 });
  t.teardown(() => emulator.close());
  const examples = readdirSync(path.join(ROOT, "examples")).filter((f) => f.endsWith(".ts"));
  t.ok(examples.length >= 5, "the five examples of issue 14 are there");
  for (const example of examples) {
    const home = shortHome(t);
    const env = { ...process.env, HF_ENDPOINT: emulator.url, HF_TOKEN: TOKEN, HUBPUSH_HOME: home };
    const { code, out } = await run(path.join("examples", example), env);
    t.equal(code, 0, `${example} exits 0${code === 0 ? "" : `:\n${out}`}`);
    t.match(out, /commit/, `${example} reports its commits`);
  }
  const ops = await downloadRepo(emulator.url, TOKEN, "alice/ops-demo");
  t.ok(
    ops.get("weights/latest.bin")?.equals(ops.get("weights/v1.bin") ?? Buffer.alloc(0)),
    "copy example: same bytes",
  );
  t.notOk(ops.has("old/notes.txt"), "delete example: folder deleted");
  t.equal(ops.get("README.md")?.toString(), "# Ops demo\n");
  const feedback = await downloadRepo(emulator.url, TOKEN, { type: "dataset", name: "alice/feedback" });
  const log = [...feedback].find(([p]) => p.startsWith("logs/data-"))?.[1]?.toString() ?? "";
  t.equal(log.split("\n").filter((l) => l !== "").length, 20, "scheduler example: every line committed");
});
