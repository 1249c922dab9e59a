import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import t from "tap";
import { resolveStatePaths } from "../../daemon/state-paths.js";
import { startEmulator } from "../../emulator/start-emulator.js";
import { writeTree } from "../helpers/folder-tree.js";
import { listRemoteFiles } from "../helpers/remote-repo.js";
import { CLI_ENTRY } from "../helpers/run-cli.js";

const TOKEN = "hf_cli_args";
const root = mkdtempSync(path.join(tmpdir(), "hubpush-cli-args-"));
const emulator = await startEmulator({ tokens: [`${TOKEN}:write:user`], dataDir: path.join(root, "emu") });
t.teardown(async () => {
  await emulator.close();
  rmSync(root, { recursive: true, force: true });
});
const folder = path.join(root, "data");
writeTree(folder, { "a.txt": "a", "sub/b.txt": "b" });
let homes = 0;

/**
 * Like helpers/run-cli.ts, but in any folder: `--import tsx` resolves from the cwd, so the loader is
 * given by its URL (the `hf upload` form's default local path is the cwd, which must be tested).
 */
function runCliIn(
  args: readonly string[],
  env: Record<string, string>,
  cwd: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", import.meta.resolve("tsx"), CLI_ENTRY, ...args], {
      cwd,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** `hubpush upload …args` in `cwd`, with a fresh state directory; returns the result and that home. */
async function upload(args: string[], cwd = root) {
  const env = { HUBPUSH_HOME: path.join(root, `home-${homes++}`), HF_TOKEN: TOKEN, NO_COLOR: "1" };
  const result = await runCliIn(["upload", ...args, "--endpoint", emulator.url], env, cwd);
  return { ...result, journaled: existsSync(resolveStatePaths(env).journal) };
}

async function remotePaths(repo: string): Promise<string[]> {
  const files = await listRemoteFiles({ endpoint: emulator.url, id: repo, token: TOKEN });
  return [...files.keys()].filter((p) => p !== ".gitattributes").sort();
}

t.test("hf upload's form: REPO_ID alone uploads the current folder to the root", async (t) => {
  const result = await upload(["user/hf-cwd"], folder);
  t.equal(result.code, 0, result.stderr);
  t.same(await remotePaths("user/hf-cwd"), ["a.txt", "sub/b.txt"]);
});

t.test("REPO_ID LOCAL_PATH: the folder goes to the root", async (t) => {
  const result = await upload(["user/hf-path", folder]);
  t.equal(result.code, 0, result.stderr);
  t.same(await remotePaths("user/hf-path"), ["a.txt", "sub/b.txt"]);
});

t.test("REPO_ID LOCAL_PATH PATH_IN_REPO: under that folder of the repo", async (t) => {
  const result = await upload(["user/hf-prefix", "data", "nested/dir"]);
  t.equal(result.code, 0, result.stderr);
  t.same(await remotePaths("user/hf-prefix"), ["nested/dir/a.txt", "nested/dir/sub/b.txt"]);
});

t.test("with --repo the folder form stays", async (t) => {
  const result = await upload([folder, "--repo", "user/hf-old", "--path-in-repo", "x"]);
  t.equal(result.code, 0, result.stderr);
  t.same(await remotePaths("user/hf-old"), ["x/a.txt", "x/sub/b.txt"]);
});

t.test("refused: exit 2 or 3, a message, nothing journaled", async (t) => {
  // alice/m is a local folder under root, and also a valid repo id.
  mkdirSync(path.join(root, "alice", "m"), { recursive: true });
  const cases: Array<[string[], number, RegExp | string]> = [
    [
      ["alice/m"],
      2,
      /"alice\/m" is ambiguous: it can be read as\n {2}1\. the repo alice\/m, uploading the current folder: hubpush upload alice\/m \.\n {2}2\. the local folder alice\/m, to a repo you have not named: hubpush upload alice\/m --repo NS\/NAME\n/,
    ],
    [["data"], 2, /"data" is ambiguous: .*\n {2}1\. the repo data.*\n {2}2\. the local folder data/],
    [
      ["./data"],
      2,
      '"./data" is a local folder, not a repo id: name the repo with hubpush upload NS/NAME ./data',
    ],
    [
      ["user/hf-x", "data", "p", "--path-in-repo", "q"],
      2,
      'the path in the repo was given twice ("p" and --path-in-repo "q")',
    ],
    [
      ["user/hf-x", "data", "p", "extra"],
      2,
      'upload takes at most REPO_ID LOCAL_PATH PATH_IN_REPO; got also "extra"',
    ],
    [["data", "more", "--repo", "user/hf-x"], 2, 'with --repo, upload takes one folder; got also "more"'],
    [[], 2, "give the repo: hubpush upload REPO_ID [LOCAL_PATH] [PATH_IN_REPO]"],
    [["--repo", "user/hf-x"], 2, "give the folder to upload"],
    [["not a repo"], 3, "(ERR_REPO_ID_INVALID)"],
  ];
  for (const [args, code, message] of cases) {
    const result = await upload(args);
    t.equal(result.code, code, `${args.join(" ")}: ${result.stderr}`);
    t.match(result.stderr, message, args.join(" "));
    t.notOk(result.journaled, `${args.join(" ")}: nothing journaled`);
  }
});
