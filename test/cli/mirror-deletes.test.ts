import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import t from "tap";
import { resolveStatePaths } from "../../daemon/state-paths.js";
import { startEmulator } from "../../emulator/start-emulator.js";
import { writeTree } from "../helpers/folder-tree.js";
import { runCli } from "../helpers/run-cli.js";

const TOKEN = "hf_cli_mirror";
const root = mkdtempSync(path.join(tmpdir(), "hubpush-cli-mirror-"));
const emulator = await startEmulator({ tokens: [`${TOKEN}:write:user`], dataDir: path.join(root, "emu") });
const folder = path.join(root, "data");
writeTree(folder, { "a.txt": "a" });
const daemonEnv = { HUBPUSH_HOME: path.join(root, "daemon-home"), HF_TOKEN: TOKEN, NO_COLOR: "1" };
const DEPRECATION = /^hubpush: --delete with --watch is deprecated, use --mirror-deletes/m;

t.teardown(async () => {
  await runCli(["daemon", "stop"], { env: daemonEnv });
  await emulator.close();
  rmSync(root, { recursive: true, force: true });
});

t.test("refused before anything happens: exit 2, ERR_USAGE, nothing journaled", async (t) => {
  const home = path.join(root, "home-refused");
  const env = { HUBPUSH_HOME: home, HF_TOKEN: TOKEN, NO_COLOR: "1" };
  const base = ["--repo", "user/mirror", "--endpoint", emulator.url];
  for (const [args, message] of [
    [["add", folder, ...base, "--delete"], /--delete needs a pattern: .*--watch --mirror-deletes/],
    [["upload", folder, ...base, "--delete"], /--delete needs a pattern: .*--watch --mirror-deletes/],
    [
      ["add", folder, ...base, "--mirror-deletes"],
      /--mirror-deletes mirrors deletions seen while watching: add --watch/,
    ],
    [
      ["upload", folder, ...base, "--mirror-deletes"],
      `hubpush add ${folder} --repo user/mirror --watch --mirror-deletes`,
    ],
  ] as const) {
    const result = await runCli(args, { env });
    t.equal(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
    t.match(result.stderr, message, args.join(" "));
    t.match(result.stderr, "(ERR_USAGE)", args.join(" "));
  }
  t.notOk(existsSync(resolveStatePaths(env).journal), "no journal was written");
});

t.test("with --watch: --mirror-deletes, and the old --delete with one deprecation line", async (t) => {
  t.equal((await runCli(["daemon", "start"], { env: daemonEnv })).code, 0);
  type Job = { id: number; options: { mirrorDeletes: boolean; delete: boolean; watch: boolean } };
  const add = async (repo: string, ...extra: string[]) => {
    const result = await runCli(
      ["add", folder, "--repo", repo, "--endpoint", emulator.url, "--watch", "--json", ...extra],
      { env: daemonEnv },
    );
    t.equal(result.code, 0, result.stderr);
    return { job: JSON.parse(result.stdout) as Job, stderr: result.stderr };
  };
  const renamed = await add("user/mirror-new", "--mirror-deletes");
  t.ok(renamed.job.options.mirrorDeletes, "--mirror-deletes is stored in the job");
  t.notMatch(renamed.stderr, DEPRECATION, "the new name prints no notice");
  const old = await add("user/mirror-old", "--delete");
  t.ok(old.job.options.mirrorDeletes, "--delete with --watch still mirrors deletions");
  t.equal(old.job.options.delete, true, "the status's old field name agrees");
  t.equal(old.stderr.match(new RegExp(DEPRECATION.source, "gm"))?.length, 1, "exactly one deprecation line");
  const plain = await add("user/mirror-none");
  t.notOk(plain.job.options.mirrorDeletes, "neither flag: append-only");
});
