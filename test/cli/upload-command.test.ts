import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import t from "tap";
import { startEmulator } from "../../emulator/start-emulator.js";
import { readTree, writeTree } from "../helpers/folder-tree.js";
import { downloadRemoteFile, listRemoteCommits, listRemoteFiles } from "../helpers/remote-repo.js";
import { runCli, spawnCli } from "../helpers/run-cli.js";

const TOKEN = "hf_cli_write";
const KiB = 1024;

const root = mkdtempSync(path.join(tmpdir(), "hubpush-cli-up-"));
t.teardown(() => rmSync(root, { recursive: true, force: true }));
// LFS above 256 KiB; inline files are accepted up to 128 KiB, so a 200 KiB text file is planned
// inline and then refused by the commit: the "file the Hub rejects" case.
const emulator = await startEmulator({
  tokens: [`${TOKEN}:write:user`, "hf_cli_other:write:someone"],
  lfsThresholdBytes: 256 * KiB,
  regularMaxBytes: 128 * KiB,
  dataDir: path.join(root, "emulator"),
});
t.teardown(() => emulator.close());

let homes = 0;
/** A fresh state directory per scenario unless one is given. */
function cliEnv(extra: Record<string, string> = {}, home?: string): Record<string, string> {
  const dir = home ?? path.join(root, `home-${homes++}`);
  // HF_HOME points at an empty folder so a token file of the machine is never picked up.
  return { HUBPUSH_HOME: dir, HF_HOME: path.join(root, "hf-empty"), NO_COLOR: "1", ...extra };
}

function uploadArgs(folder: string, repo: string, ...extra: string[]): string[] {
  return [
    "upload",
    folder,
    "--repo",
    repo,
    "--endpoint",
    emulator.url,
    "--progress-interval",
    "100",
    ...extra,
  ];
}

t.test("a folder goes up, and running the command again commits nothing new", async (t) => {
  const folder = path.join(root, "data");
  const files: Record<string, string | Buffer> = {
    "README.md": "# hello\n",
    "empty.txt": "",
    "weights/model.bin": randomBytes(300 * KiB),
  };
  for (let i = 0; i < 30; i++) files[`dir-${i % 4}/nested ${i % 2}/file-${i}.txt`] = `file ${i}\n`;
  writeTree(folder, files);
  const local = readTree(folder);
  const env = cliEnv({ HF_TOKEN: TOKEN });
  const repo = { endpoint: emulator.url, id: "user/cli-upload", token: TOKEN };

  const first = await runCli(uploadArgs(folder, repo.id), { env });
  t.equal(first.code, 0, first.stderr);
  t.match(first.stdout, /^#1 user\/cli-upload \(model@main\) \w+: /m, "plain progress lines when not a TTY");
  t.match(first.stdout, `done: ${folder} → user/cli-upload (model@main)`);
  t.match(first.stdout, "committed 33 files");
  t.match(first.stdout, "failed 0");
  t.match(first.stdout, `${emulator.url}/user/cli-upload/tree/main`);
  t.notMatch(first.stdout, TOKEN);
  t.notMatch(first.stderr, TOKEN);

  const remote = await listRemoteFiles(repo);
  // The Hub adds .gitattributes when it creates a repo.
  t.same(
    [...remote.keys()].filter((p) => p !== ".gitattributes").sort(),
    [...local.keys()].sort(),
    "every file is in the repo",
  );
  t.equal(remote.get("empty.txt")?.size, 0);
  t.ok(remote.get("weights/model.bin")?.lfs, "the big file went through LFS");
  t.ok(
    (await downloadRemoteFile(repo, "weights/model.bin")).equals(
      local.get("weights/model.bin") ?? Buffer.alloc(0),
    ),
  );
  const commits = (await listRemoteCommits(repo)).length;

  const again = await runCli(uploadArgs(folder, repo.id), { env });
  t.equal(again.code, 0, again.stderr);
  t.match(again.stdout, "0 new commits");
  t.equal((await listRemoteCommits(repo)).length, commits, "no commit on the Hub either");

  const json = await runCli(uploadArgs(folder, repo.id, "--json"), { env });
  t.equal(json.code, 0, json.stderr);
  const status = JSON.parse(json.stdout) as {
    id: number;
    state: string;
    files: { committed: { files: number } };
  };
  t.equal(status.state, "done");
  t.equal(status.id, 1, "the same job each time");
  t.equal(status.files.committed.files, 33);
});

t.test("a token the Hub refuses: exit 4, and the message says what to do", async (t) => {
  const folder = path.join(root, "bad-token");
  writeTree(folder, { "a.txt": "a" });
  const bad = await runCli(uploadArgs(folder, "user/cli-bad-token"), {
    env: cliEnv({ HF_TOKEN: "hf_wrong_token" }),
  });
  t.equal(bad.code, 4, bad.stderr);
  t.match(bad.stderr, /token/i);
  t.match(bad.stderr, "run the same command again");
  t.match(bad.stderr, /^hubpush: .*\(ERR_HUB_UNAUTHORIZED\)$/m);
  t.notMatch(`${bad.stdout}${bad.stderr}`, "hf_wrong_token", "the token is never printed");

  const missing = await runCli(uploadArgs(folder, "user/cli-bad-token"), { env: cliEnv() });
  t.equal(missing.code, 4, missing.stderr);
  t.match(missing.stderr, "HF_TOKEN");
  t.match(missing.stderr, "(ERR_TOKEN_MISSING)");
});

t.test("--token-file is read, and a file of the Hub refused is listed with exit 1", async (t) => {
  const folder = path.join(root, "refused");
  const files: Record<string, string> = { "too-big.txt": "y".repeat(200 * KiB) };
  for (let i = 0; i < 5; i++) files[`ok-${i}.txt`] = `ok ${i}`;
  writeTree(folder, files);
  const tokenFile = path.join(root, "token");
  writeFileSync(tokenFile, `${TOKEN}\n`);
  const result = await runCli(uploadArgs(folder, "user/cli-refused", "--token-file", tokenFile), {
    env: cliEnv(),
  });
  t.equal(result.code, 1, result.stderr);
  t.match(result.stdout, "done with failures");
  t.match(result.stdout, "1 file could not be uploaded:");
  t.match(result.stdout, /^ {4}too-big\.txt: .+\(ERR_HUB_\w+\)$/m);
  t.match(result.stderr, "1 file could not be uploaded, listed above (ERR_JOB_FAILED)");
  const remote = await listRemoteFiles({ endpoint: emulator.url, id: "user/cli-refused", token: TOKEN });
  t.equal([...remote.keys()].filter((p) => p.startsWith("ok-")).length, 5, "the other files are committed");
});

t.test("Ctrl-C keeps the progress: exit 130, and the same command resumes", async (t) => {
  const folder = path.join(root, "interrupted");
  mkdirSync(folder);
  writeTree(folder, { "a.txt": "a", "b/c.txt": "c" });
  const env = cliEnv({ HF_TOKEN: TOKEN });
  // Commits keep failing (transient): the job cannot finish until the fault is lifted.
  emulator.setFaults("route=commit,kind=status,status=503");
  const child = spawnCli(uploadArgs(folder, "user/cli-interrupted"), { env });
  let stdout = "";
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  await new Promise<void>((resolve) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
      if (stdout.includes("#1 ")) resolve();
    });
  });
  child.kill("SIGINT");
  t.equal(await exited, 130, stderr);
  t.match(stderr, "progress is kept");
  t.match(stderr, "run the same command again to resume");

  emulator.setFaults("");
  const resumed = await runCli(uploadArgs(folder, "user/cli-interrupted"), { env });
  t.equal(resumed.code, 0, resumed.stderr);
  const remote = await listRemoteFiles({ endpoint: emulator.url, id: "user/cli-interrupted", token: TOKEN });
  t.same([...remote.keys()].filter((p) => p !== ".gitattributes").sort(), ["a.txt", "b/c.txt"]);
});
