import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import t from "tap";
import { startEmulator } from "../../emulator/start-emulator.js";
import { writeTree } from "../helpers/folder-tree.js";
import { noise } from "../helpers/noise.js";
import { runCli } from "../helpers/run-cli.js";

/**
 * `hubpush upload` reads HUBPUSH_TUNING as the daemon does, so a bench can vary an engine knob
 * (W2x: `--w2x-tuning '{"xetXorbBytes":…}'`): here a 12 MiB Xet file is one xorb by default and
 * several with 4 MiB xorbs; a bad value stops the command before anything is sent.
 */
const TOKEN = "hf_tuning_write";
const MiB = 1024 * 1024;

const root = mkdtempSync(path.join(tmpdir(), "hubpush-cli-tuning-"));
t.teardown(() => rmSync(root, { recursive: true, force: true }));
const emulator = await startEmulator({
  tokens: [`${TOKEN}:write:user`],
  dataDir: path.join(root, "emulator"),
});
t.teardown(() => emulator.close());
/** A folder of one 12 MiB file of its own (the CAS would dedup a second upload of the same bytes). */
function folderOf(seed: number): string {
  const folder = path.join(root, `data-${seed}`);
  writeTree(folder, { "big.bin": noise(12 * MiB, seed) });
  return folder;
}
const folder = folderOf(7);

async function xorbsStored(repo: string, folder: string, tuning?: string): Promise<number> {
  const env: Record<string, string> = {
    HUBPUSH_HOME: path.join(root, `home-${repo}`),
    HF_HOME: path.join(root, "hf-empty"),
    HF_TOKEN: TOKEN,
    NO_COLOR: "1",
    ...(tuning === undefined ? {} : { HUBPUSH_TUNING: tuning }),
  };
  const run = await runCli(
    ["upload", folder, "--repo", `user/${repo}`, "--endpoint", emulator.url, "--transfer", "xet", "--json"],
    { env },
  );
  if (run.code !== 0) throw new Error(`upload failed (${run.code}): ${run.stderr}`);
  const status = JSON.parse(run.stdout.slice(run.stdout.indexOf("{"))) as {
    xet: { xorbsStored: number } | null;
  };
  return status.xet?.xorbsStored ?? 0;
}

t.test("HUBPUSH_TUNING reaches the engine of `hubpush upload`", async (t) => {
  t.equal(await xorbsStored("default", folder), 1, "12 MiB is one xorb under the 64 MiB default");
  const small = await xorbsStored("small", folderOf(8), JSON.stringify({ xetXorbBytes: 4 * MiB }));
  t.ok(small >= 3, `with 4 MiB xorbs the file is ${small} xorbs`);
});

t.test("a bad HUBPUSH_TUNING stops `hubpush upload` with ERR_USAGE", async (t) => {
  const run = await runCli(["upload", folder, "--repo", "user/bad", "--endpoint", emulator.url], {
    env: {
      HUBPUSH_HOME: path.join(root, "home-bad"),
      HF_TOKEN: TOKEN,
      HUBPUSH_TUNING: '{"xetXorbBites":1}',
    },
  });
  t.not(run.code, 0);
  t.match(run.stderr, /HUBPUSH_TUNING is not valid: unknown knob "xetXorbBites"/);
});
