import { readFileSync } from "node:fs";
import path from "node:path";
import t from "tap";
import { REPO_ROOT, runCli } from "../helpers/run-cli.js";

const COMMANDS = [
  "upload",
  "daemon",
  "add",
  "status",
  "list",
  "pause",
  "resume",
  "cancel",
  "retry",
  "logs",
  "emulator",
  "service",
];

t.test("--version prints package.json's version", async (t) => {
  const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { version: string };
  const result = await runCli(["--version"]);
  t.equal(result.code, 0);
  t.equal(result.stdout.trim(), pkg.version);
});

t.test("--help lists every command of the contract with a description", async (t) => {
  const result = await runCli(["--help"]);
  t.equal(result.code, 0);
  for (const name of COMMANDS) t.match(result.stdout, new RegExp(`^ {2}${name}\\b.* {2,}\\S`, "m"), name);
  t.match(result.stdout, "HF_TOKEN");
});

t.test("usage errors exit 2 with a message on stderr", async (t) => {
  const unknown = await runCli(["frobnicate"]);
  t.equal(unknown.code, 2);
  t.match(unknown.stderr, "hubpush: unknown command 'frobnicate'");
  const option = await runCli(["list", "--frobnicate"]);
  t.equal(option.code, 2);
  t.match(option.stderr, "unknown option '--frobnicate'");
});

t.test("emulator passes its arguments, --help included, to the emulator's own parser", async (t) => {
  const help = await runCli(["emulator", "--help"]);
  t.equal(help.code, 0);
  t.match(help.stdout, "usage: hubpush emulator");
  const bad = await runCli(["emulator", "--port", "nope"]);
  t.equal(bad.code, 2);
  t.match(bad.stderr, "--port must be a non-negative integer");
});
