import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import t from "tap";
import { resolveStatePaths } from "../../daemon/state-paths.js";
import { startEmulator } from "../../emulator/start-emulator.js";
import type { JobRecord } from "../../storage/journal.js";
import { openJournal } from "../../storage/sqlite-journal.js";
import { writeTree } from "../helpers/folder-tree.js";
import { downloadRemoteFile, listRemoteFiles } from "../helpers/remote-repo.js";
import { CLI_ENTRY } from "../helpers/run-cli.js";

// `hubpush upload FILE`: a one-file job, in every form of the command, through real CLI processes,
// a real journal and the emulator; the bad inputs are refused before anything is journaled.

const TOKEN = "hf_cli_single";
const root = mkdtempSync(path.join(tmpdir(), "hubpush-single-"));
const emulator = await startEmulator({ tokens: [`${TOKEN}:write:user`], dataDir: path.join(root, "emu") });
t.teardown(async () => {
  await emulator.close();
  rmSync(root, { recursive: true, force: true });
});
const folder = path.join(root, "data");
writeTree(folder, { "notes.txt": "notes\n", "sub/b.txt": "b" });
// Random bytes: binary, so the Hub wants it in LFS (preupload), the path this feature must journal.
const MODEL = randomBytes(300_000);
const modelFile = path.join(folder, "model.safetensors");
writeFileSync(modelFile, MODEL);
let homes = 0;

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly home: string;
}

/** `hubpush …args` in `cwd` (tsx given by URL so any cwd works), with HUBPUSH_HOME `home`. */
function hubpush(args: readonly string[], options: { cwd?: string; home?: string } = {}): Promise<Run> {
  const home = options.home ?? path.join(root, `home-${homes++}`);
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    HUBPUSH_HOME: home,
    HF_TOKEN: TOKEN,
    NO_COLOR: "1",
  };
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--import", import.meta.resolve("tsx"), CLI_ENTRY, ...args, "--endpoint", emulator.url],
      { cwd: options.cwd ?? root, env, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr, home }));
  });
}

async function remotePaths(repo: string): Promise<string[]> {
  const files = await listRemoteFiles({ endpoint: emulator.url, id: repo, token: TOKEN });
  return [...files.keys()].filter((p) => p !== ".gitattributes").sort();
}

async function download(repo: string, file: string): Promise<Buffer> {
  return downloadRemoteFile({ endpoint: emulator.url, id: repo, token: TOKEN }, file);
}

function jobsIn(home: string): JobRecord[] {
  const journal = openJournal(resolveStatePaths({ HUBPUSH_HOME: home }).journal);
  try {
    return journal.jobs.list();
  } finally {
    journal.close();
  }
}

async function commitTitles(repo: string): Promise<string[]> {
  const res = await fetch(`${emulator.url}/api/models/${repo}/commits/main`, {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  return ((await res.json()) as Array<{ title: string }>).map((c) => c.title);
}

t.test("upload FILE --repo: a new repo gets the file under its name, byte-identical", async (t) => {
  const run = await hubpush(["upload", modelFile, "--repo", "user/sf-new", "--json"]);
  t.equal(run.code, 0, run.stderr);
  t.same(await remotePaths("user/sf-new"), ["model.safetensors"], "only the file, under its name");
  const remote = await listRemoteFiles({ endpoint: emulator.url, id: "user/sf-new", token: TOKEN });
  t.ok(remote.get("model.safetensors")?.lfs, "stored in LFS");
  t.ok((await download("user/sf-new", "model.safetensors")).equals(MODEL), "downloads byte-identical");
  const status = JSON.parse(run.stdout) as { kind: string; folder: string; repo: { pathInRepo: string } };
  t.equal(status.kind, "file", "--json says it is a file job");
  t.equal(status.folder, modelFile);
  t.equal(status.repo.pathInRepo, "model.safetensors");
  t.same(
    (await commitTitles("user/sf-new")).slice(0, 1),
    ["Upload model.safetensors with hubpush"],
    "the default message names the file",
  );
  const [job, ...others] = jobsIn(run.home);
  t.same(others, [], "one job");
  t.equal(job?.kind, "file", "journaled as a file job");
});

t.test("--path-in-repo is the file's full path; ending in / it is the folder it goes into", async (t) => {
  const full = await hubpush([
    "upload",
    modelFile,
    "--repo",
    "user/sf-path",
    "--path-in-repo",
    "weights/w.bin",
  ]);
  t.equal(full.code, 0, full.stderr);
  t.match(full.stdout, `${emulator.url}/user/sf-path/blob/main/weights/w.bin`, "the summary links the file");
  const into = await hubpush(["upload", modelFile, "--repo", "user/sf-path", "--path-in-repo", "ckpt/"]);
  t.equal(into.code, 0, into.stderr);
  t.same(await remotePaths("user/sf-path"), ["ckpt/model.safetensors", "weights/w.bin"]);
  t.ok((await download("user/sf-path", "weights/w.bin")).equals(MODEL), "downloads byte-identical");
});

t.test("hf upload's form with a file: PATH_IN_REPO defaults to the file's name", async (t) => {
  const byName = await hubpush(["upload", "user/sf-hf", "model.safetensors"], { cwd: folder });
  t.equal(byName.code, 0, byName.stderr);
  const given = await hubpush(["upload", "user/sf-hf", "data/notes.txt", "docs/readme.txt"]);
  t.equal(given.code, 0, given.stderr);
  const slash = await hubpush(["upload", "user/sf-hf", "data/notes.txt", "docs/"]);
  t.equal(slash.code, 0, slash.stderr);
  t.same(await remotePaths("user/sf-hf"), ["docs/notes.txt", "docs/readme.txt", "model.safetensors"]);
  t.equal((await download("user/sf-hf", "docs/readme.txt")).toString(), "notes\n");
});

t.test("job identity: the file's job is not its folder's, and the same command finds it again", async (t) => {
  const home = path.join(root, "home-identity");
  const first = await hubpush(["upload", folder, "--repo", "user/sf-id"], { home });
  t.equal(first.code, 0, first.stderr);
  // The same file named relatively from its folder and absolutely from elsewhere: one job.
  const file = await hubpush(
    ["upload", "./model.safetensors", "--repo", "user/sf-id", "--path-in-repo", "x.bin"],
    {
      home,
      cwd: folder,
    },
  );
  t.equal(file.code, 0, file.stderr);
  const again = await hubpush(["upload", modelFile, "--repo", "user/sf-id", "--path-in-repo", "x.bin"], {
    home,
  });
  t.equal(again.code, 0, again.stderr);
  t.match(again.stdout, "0 new commits", "the re-run finds the finished job: nothing to do");
  const jobs = jobsIn(home);
  t.same(
    jobs.map((j) => [j.kind, j.folder, j.pathInRepo]),
    [
      ["folder", folder, ""],
      ["file", modelFile, "x.bin"],
    ],
    "two jobs: the folder's and the file's",
  );
  t.same(await remotePaths("user/sf-id"), ["model.safetensors", "notes.txt", "sub/b.txt", "x.bin"]);
  // The folder with a trailing slash is the same folder job.
  const slash = await hubpush(["upload", `${folder}/`, "--repo", "user/sf-id"], { home });
  t.equal(slash.code, 0, slash.stderr);
  t.equal(jobsIn(home).length, 2, "data/ is the job of data");
});

t.test("a symlink to a file is followed: the link's name, the target's bytes", async (t) => {
  const link = path.join(root, "latest.bin");
  symlinkSync(modelFile, link);
  const run = await hubpush(["upload", link, "--repo", "user/sf-link"]);
  t.equal(run.code, 0, run.stderr);
  t.same(await remotePaths("user/sf-link"), ["latest.bin"]);
  t.ok((await download("user/sf-link", "latest.bin")).equals(MODEL));
});

t.test("refused before a job exists: a stable code, a message, nothing journaled", async (t) => {
  const fifo = path.join(root, "pipe");
  const { execFileSync } = await import("node:child_process");
  execFileSync("mkfifo", [fifo]);
  const socketPath = path.join(root, "sock");
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const missing = path.join(root, "no-such.bin");
  const repo = ["--repo", "user/sf-bad"];
  const cases: Array<[string[], number, string | RegExp]> = [
    [
      ["upload", missing, ...repo],
      3,
      `${missing} does not exist: check the path of the folder or file to upload (ERR_FOLDER_NOT_FOUND)`,
    ],
    [
      ["upload", fifo, ...repo],
      3,
      `${fifo} is a FIFO (named pipe): hubpush uploads a folder or a regular file (ERR_PATH_NOT_UPLOADABLE)`,
    ],
    [
      ["upload", socketPath, ...repo],
      3,
      `${socketPath} is a socket: hubpush uploads a folder or a regular file (ERR_PATH_NOT_UPLOADABLE)`,
    ],
    [["add", fifo, ...repo], 3, "(ERR_PATH_NOT_UPLOADABLE)"],
    [
      ["upload", `${modelFile}/`, ...repo],
      3,
      /ends with "\/" but .* is not a folder: drop the trailing "\/" to upload the file \(ERR_FOLDER_NOT_DIRECTORY\)/,
    ],
    [
      ["upload", modelFile, ...repo, "--include", "*.bin"],
      2,
      `${modelFile} is a single file: --include chooses files inside a folder and has nothing to choose here; drop it, or upload the folder ${folder} with --include "model.safetensors" (ERR_FOLDER_ONLY_OPTION)`,
    ],
    [
      ["upload", modelFile, ...repo, "--exclude", "x", "--include", "y"],
      2,
      "--include and --exclude choose files inside a folder and have nothing",
    ],
    [
      ["add", modelFile, ...repo, "--watch"],
      2,
      `${modelFile} is a single file: --watch follows the changes of a folder, a single file cannot be watched; to watch it, add its folder: hubpush add ${folder} --watch --include "model.safetensors" (ERR_FOLDER_ONLY_OPTION)`,
    ],
    [
      ["add", modelFile, ...repo, "--watch", "--every", "5"],
      2,
      "--watch, --every follow the changes of a folder",
    ],
    [["upload", "user/sf-bad", "data/model.safetensors", "--watch"], 2, "a single file cannot be watched"],
  ];
  for (const [args, code, message] of cases) {
    const run = await hubpush(args);
    t.equal(run.code, code, `${args.join(" ")}: ${run.stderr}`);
    t.match(run.stderr, message, args.join(" "));
    t.notOk(
      existsSync(resolveStatePaths({ HUBPUSH_HOME: run.home }).journal),
      `${args.join(" ")}: nothing journaled`,
    );
  }
  t.same(await remotePaths("user/sf-bad").catch(() => []), [], "no repo, no commit");
});

t.test("a folder job's path that became a file is refused, not mixed into the old job", async (t) => {
  const home = path.join(root, "home-kind");
  const place = path.join(root, "shifting");
  writeTree(place, { "a.txt": "a" });
  const asFolder = await hubpush(["upload", place, "--repo", "user/sf-kind", "--path-in-repo", "p"], {
    home,
  });
  t.equal(asFolder.code, 0, asFolder.stderr);
  rmSync(place, { recursive: true });
  writeFileSync(place, "now a file");
  const asFile = await hubpush(["upload", place, "--repo", "user/sf-kind", "--path-in-repo", "p"], { home });
  t.equal(asFile.code, 3, asFile.stderr);
  t.match(
    asFile.stderr,
    /job 1 uploads .*shifting as a folder, but it is now a file: give another --path-in-repo .*\(ERR_JOB_KIND_CONFLICT\)/,
  );
  t.same(
    jobsIn(home).map((j) => j.kind),
    ["folder"],
    "the journal is unchanged",
  );
  const other = await hubpush(["upload", place, "--repo", "user/sf-kind", "--path-in-repo", "q"], { home });
  t.equal(other.code, 0, other.stderr);
  t.same(await remotePaths("user/sf-kind"), ["p/a.txt", "q"]);
});
