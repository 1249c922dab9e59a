import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import t from "tap";
import { HubpushError } from "../../common/hubpush-error.js";
import { parseByteRate } from "../../common/parse-byte-rate.js";
import { ControlClient } from "../../daemon/control-client.js";
import { resolveStatePaths } from "../../daemon/state-paths.js";
import { startEmulator } from "../../emulator/start-emulator.js";
import { writeTree } from "../helpers/folder-tree.js";
import { listRemoteFiles } from "../helpers/remote-repo.js";
import { runCli } from "../helpers/run-cli.js";

const TOKEN = "hf_cli_rate";
const root = mkdtempSync(path.join(tmpdir(), "hubpush-cli-rate-"));
const emulator = await startEmulator({ tokens: [`${TOKEN}:write:user`], dataDir: path.join(root, "emu") });
const folder = path.join(root, "data");
writeTree(folder, { "a.txt": "a", "b/c.txt": "c" });
const daemonEnv = { HUBPUSH_HOME: path.join(root, "daemon-home"), HF_TOKEN: TOKEN, NO_COLOR: "1" };

t.teardown(async () => {
  await runCli(["daemon", "stop"], { env: daemonEnv });
  await emulator.close();
  rmSync(root, { recursive: true, force: true });
});

t.test("units: powers of 1000, Ki/Mi/Gi powers of 1024, plain numbers", async (t) => {
  for (const [text, bytes] of [
    ["10000000", 10_000_000],
    ["800k", 800_000],
    ["800K", 800_000],
    ["50M", 50_000_000],
    ["1.5G", 1_500_000_000],
    ["2T", 2_000_000_000_000],
    ["1Ki", 1024],
    ["100Mi", 100 * 1024 ** 2],
    ["1.5Gi", 1.5 * 1024 ** 3],
    ["50MB/s", 50_000_000],
    [" 50M ", 50_000_000],
    ["0.5k", 500],
  ] as const) {
    t.equal(parseByteRate(text), bytes, text);
  }
  for (const text of ["5X", "", "M", "-5M", "0", "0.4", "1e6", "50 Mbit", "5MiB/h", "1.2.3M", "0x10"]) {
    t.equal(parseByteRate(text), null, `refused: ${JSON.stringify(text)}`);
  }
});

t.test("upload --max-rate 5X: ERR_USAGE, exit 2, no journal written", async (t) => {
  const home = path.join(root, "home-bad");
  const result = await runCli(
    ["upload", folder, "--repo", "user/rate", "--endpoint", emulator.url, "--max-rate", "5X"],
    { env: { HUBPUSH_HOME: home, HF_TOKEN: TOKEN, NO_COLOR: "1" } },
  );
  t.equal(result.code, 2, result.stderr);
  t.match(result.stderr, /^hubpush: --max-rate "5X" is not a rate in bytes per second.*\(ERR_USAGE\)$/m);
  t.notOk(existsSync(resolveStatePaths({ HUBPUSH_HOME: home }).journal), "nothing was journaled");
  const daemonRun = await runCli(["daemon", "run", "--max-rate", "5X"], {
    env: { HUBPUSH_HOME: home, NO_COLOR: "1" },
  });
  t.equal(daemonRun.code, 2, "daemon run refuses it the same way");
  t.match(daemonRun.stderr, "(ERR_USAGE)");
});

t.test("upload --max-rate 50M uploads under the cap", async (t) => {
  const result = await runCli(
    ["upload", folder, "--repo", "user/rate", "--endpoint", emulator.url, "--max-rate", "50M"],
    { env: { HUBPUSH_HOME: path.join(root, "home-up"), HF_TOKEN: TOKEN, NO_COLOR: "1" } },
  );
  t.equal(result.code, 0, result.stderr);
  const remote = await listRemoteFiles({ endpoint: emulator.url, id: "user/rate", token: TOKEN });
  t.ok(remote.has("a.txt") && remote.has("b/c.txt"));
});

t.test("add --max-rate 1.5M and the control API's units set the daemon's cap", async (t) => {
  const start = await runCli(["daemon", "start"], { env: daemonEnv });
  t.equal(start.code, 0, start.stderr);
  const client = new ControlClient(resolveStatePaths(daemonEnv).socket);
  type Settings = { settings: { maxRateBytesPerSec: number | null } };
  const initial = await client.request<Settings>("GET", "/v1/settings/get");
  t.equal(initial.settings.maxRateBytesPerSec, null, "unlimited by default");
  const add = await runCli(
    ["add", folder, "--repo", "user/rate-d", "--endpoint", emulator.url, "--max-rate", "1.5M"],
    { env: daemonEnv },
  );
  t.equal(add.code, 0, add.stderr);
  t.equal((await client.request<Settings>("GET", "/v1/settings/get")).settings.maxRateBytesPerSec, 1_500_000);
  const api = await client.request<Settings>("POST", "/v1/settings/update", { maxRateBytesPerSec: "800k" });
  t.equal(api.settings.maxRateBytesPerSec, 800_000, "the API takes the same units");
  const number = await client.request<Settings>("POST", "/v1/settings/update", {
    maxRateBytesPerSec: 123_456,
  });
  t.equal(number.settings.maxRateBytesPerSec, 123_456, "a number stays accepted");
  const refused = await client.request("POST", "/v1/settings/update", { maxRateBytesPerSec: "5X" }).then(
    () => null,
    (err: unknown) => err,
  );
  t.ok(refused instanceof HubpushError, "5X is refused");
  t.equal((refused as HubpushError).code, "ERR_CONTROL_BAD_REQUEST");
  t.match((refused as HubpushError).message, '"5X" is not a rate');
  const addBad = await runCli(
    ["add", folder, "--repo", "user/rate-d", "--endpoint", emulator.url, "--max-rate", "5X"],
    { env: daemonEnv },
  );
  t.equal(addBad.code, 2);
  t.match(addBad.stderr, "(ERR_USAGE)");
  t.equal(
    (await client.request<Settings>("GET", "/v1/settings/get")).settings.maxRateBytesPerSec,
    123_456,
    "a refused value changes nothing",
  );
});
