import { PassThrough } from "node:stream";
import t from "tap";
import { resolveCliConfig } from "../../cli/cli-config.js";
import type { CliIo } from "../../cli/cli-io.js";

function io(env: NodeJS.ProcessEnv, isTTY: boolean): CliIo {
  const stdout = Object.assign(new PassThrough(), { isTTY });
  return {
    env: { HUBPUSH_HOME: "/tmp/hubpush-config-test", ...env },
    cwd: "/",
    stdout,
    stderr: new PassThrough(),
    entry: "/x/cli/main.ts",
    execPath: process.execPath,
    execArgv: [],
    setExitCode() {},
  };
}

t.test("colours: only on a terminal, and NO_COLOR with any non-empty value turns them off", async (t) => {
  t.equal(resolveCliConfig(io({}, true)).color, true);
  t.equal(resolveCliConfig(io({ NO_COLOR: "1" }, true)).color, false);
  t.equal(resolveCliConfig(io({ NO_COLOR: "0" }, true)).color, false, "any value, even 0");
  t.equal(resolveCliConfig(io({ NO_COLOR: "" }, true)).color, true, "an empty value does not count");
  t.equal(resolveCliConfig(io({}, false)).color, false, "no colour in a pipe");
});

t.test("endpoint: --endpoint over HF_ENDPOINT over the default", async (t) => {
  t.equal(resolveCliConfig(io({}, false)).endpoint, "https://huggingface.co");
  t.equal(resolveCliConfig(io({ HF_ENDPOINT: "http://env.test" }, false)).endpoint, "http://env.test");
  t.equal(
    resolveCliConfig(io({ HF_ENDPOINT: "http://env.test" }, false), { endpoint: "http://flag.test" })
      .endpoint,
    "http://flag.test",
  );
  t.equal(resolveCliConfig(io({ HF_ENDPOINT: " " }, false)).endpoint, "https://huggingface.co");
});

t.test("progress interval, state paths, and the object is frozen", async (t) => {
  t.equal(resolveCliConfig(io({}, true)).progressIntervalMs, 250, "~4 frames a second on a terminal");
  t.equal(resolveCliConfig(io({}, false)).progressIntervalMs, 5000, "a plain line every few seconds");
  t.equal(resolveCliConfig(io({}, false), { progressInterval: 50 }).progressIntervalMs, 50);
  const config = resolveCliConfig(io({}, false));
  t.equal(config.paths.socket, "/tmp/hubpush-config-test/hubpush.sock");
  t.ok(Object.isFrozen(config));
  t.ok(Object.isFrozen(config.env));
  t.equal(config.logLevel, "info");
  t.equal(resolveCliConfig(io({ HUBPUSH_LOG_LEVEL: "debug" }, false)).logLevel, "debug");
});
