import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import t from "tap";
import { resolveStatePaths } from "../../daemon/state-paths.js";
import { startEmulator } from "../../emulator/start-emulator.js";
import {
  commit,
  createRepo,
  DEFAULT_TEST_TOKENS,
  fileLine,
  header,
  WRITE_TOKEN,
} from "../emulator/helpers.js";
import { writeTree } from "../helpers/folder-tree.js";
import { downloadRemoteFile, listRemoteFiles } from "../helpers/remote-repo.js";
import { runCli } from "../helpers/run-cli.js";

// Issue 13 item 4: --delete GLOB deletes the remote files under --path-in-repo that match, in the
// job's first commit, except the paths the job uploads. The emulator pages its tree listing by 3
// here, so the match needs every page (a Link-paginated listing, as the Hub's).

const root = mkdtempSync(path.join(tmpdir(), "hubpush-cli-delete-"));
const accessLog = path.join(root, "access.log");
const emulator = await startEmulator({
  tokens: DEFAULT_TEST_TOKENS,
  dataDir: path.join(root, "emu"),
  pageSize: 3,
  accessLog,
});
const daemonEnv = {
  HUBPUSH_HOME: path.join(root, "daemon-home"),
  HF_TOKEN: WRITE_TOKEN,
  NO_COLOR: "1",
  // One file per commit: the job makes several commits, so "the first" means something.
  HUBPUSH_TUNING: JSON.stringify({ commitSizes: [1], initialCommitSizeIndex: 0, flushIntervalMs: 50 }),
};

t.teardown(async () => {
  await runCli(["daemon", "stop"], { env: daemonEnv });
  await emulator.close();
  rmSync(root, { recursive: true, force: true });
});

const REMOTE: Record<string, string> = {
  "data/a.txt": "old a",
  "data/old.txt": "old",
  "data/y.txt": "y",
  "data/sub/x.txt": "x",
  "data/keep.bin": "keep",
  "data/notes.md": "notes",
  "outside.txt": "outside the prefix",
  "other/z.txt": "outside too",
};

async function seed(repo: string): Promise<void> {
  t.equal((await createRepo(emulator.url, repo)).status, 200);
  const lines = Object.entries(REMOTE).map(([p, c]) => fileLine(p, c));
  t.equal((await commit(emulator.url, `models/${repo}`, [header("seed"), ...lines])).status, 200);
}

async function files(repo: string, revision = "main"): Promise<string[]> {
  const listed = await listRemoteFiles({ endpoint: emulator.url, id: repo, revision, token: WRITE_TOKEN });
  return [...listed.keys()].sort();
}

/** Every commit of main, newest first, following the listing's Link pages. */
async function commitsOf(repo: string): Promise<Array<{ id: string; title: string }>> {
  const out: Array<{ id: string; title: string }> = [];
  let url: string | null = `${emulator.url}/api/models/${repo}/commits/main`;
  while (url !== null) {
    const res: Response = await fetch(url, { headers: { authorization: `Bearer ${WRITE_TOKEN}` } });
    out.push(...((await res.json()) as Array<{ id: string; title: string }>));
    url = res.headers.get("link")?.match(/<(https?:\/\/[^>]+)>;\s+rel="next"/)?.[1] ?? null;
  }
  return out;
}

type Status = {
  state: string;
  commits: number;
  remoteDeletions: { patterns: string[]; listed: boolean; pending: number; deleted: number } | null;
  options: { deletePatterns: string[] };
};

t.test(
  "add --delete '*.txt' --path-in-repo data: exactly the matching remote files go, in the first commit",
  async (t) => {
    const repo = "user/del";
    await seed(repo);
    const folder = path.join(root, "local");
    writeTree(folder, { "a.txt": "new a", "new.txt": "new", "model.bin": "weights" });
    // A slow listing: the first commit must wait for it, not go ahead with the first ready file.
    emulator.setFaults("route=tree,kind=latency,ms=1500");
    t.equal((await runCli(["daemon", "start"], { env: daemonEnv })).code, 0);
    const add = await runCli(
      [
        "add",
        folder,
        "--repo",
        repo,
        "--endpoint",
        emulator.url,
        "--path-in-repo",
        "data",
        "--delete",
        "*.txt",
        "--json",
      ],
      { env: daemonEnv },
    );
    t.equal(add.code, 0, add.stderr);
    t.same(
      (JSON.parse(add.stdout) as Status).options.deletePatterns,
      ["*.txt"],
      "control API field deletePatterns",
    );
    const watch = await runCli(["status", "1", "--watch", "--progress-interval", "100"], { env: daemonEnv });
    t.equal(watch.code, 0, watch.stderr);
    emulator.setFaults("");
    const status = JSON.parse((await runCli(["status", "1", "--json"], { env: daemonEnv })).stdout) as Status;
    t.equal(status.state, "done");
    t.same(status.remoteDeletions, { patterns: ["*.txt"], listed: true, pending: 0, deleted: 3 });
    t.match(watch.stdout, "--delete *.txt: 3 deleted, 0 pending", "status says what was deleted");

    t.same(
      await files(repo),
      [
        ".gitattributes",
        "data/a.txt",
        "data/keep.bin",
        "data/model.bin",
        "data/new.txt",
        "data/notes.md",
        "other/z.txt",
        "outside.txt",
      ],
      "old.txt, y.txt and sub/x.txt under the prefix are gone; the rest stays",
    );
    const a = await downloadRemoteFile(
      { endpoint: emulator.url, id: repo, token: WRITE_TOKEN },
      "data/a.txt",
    );
    t.equal(a.toString(), "new a", "a matching path the job uploads is replaced, not deleted");

    // The job's commits, oldest first: the first holds every deletion, and a.txt was never deleted.
    const ours = (await commitsOf(repo)).filter((c) => c.title.startsWith("Upload folder")).reverse();
    t.equal(ours.length, status.commits, "the emulator holds the job's commits");
    t.ok(ours.length >= 3, `several commits (${ours.length})`);
    const first = await files(repo, ours[0]?.id ?? "");
    for (const gone of ["data/old.txt", "data/y.txt", "data/sub/x.txt"]) {
      t.notOk(first.includes(gone), `${gone} deleted by the first commit`);
    }
    for (const c of ours) t.ok((await files(repo, c.id)).includes("data/a.txt"), `a.txt present at ${c.id}`);

    // The job lists the prefix (`…/tree/main/data`); every page has that path, the cursor is in the query.
    const treeCalls = readFileSync(accessLog, "utf8")
      .split("\n")
      .filter(
        (l) => l.includes('"route":"tree"') && l.includes('"path":"/api/models/user/del/tree/main/data"'),
      );
    t.ok(treeCalls.length >= 3, `the listing followed the Link pages (${treeCalls.length} pages of 3)`);
  },
);

t.test("upload --delete without a match: fine, and it says so", async (t) => {
  const repo = "user/del-none";
  await seed(repo);
  const folder = path.join(root, "none");
  writeTree(folder, { "a.bin": "A" });
  const env = { HUBPUSH_HOME: path.join(root, "home-none"), HF_TOKEN: WRITE_TOKEN, NO_COLOR: "1" };
  const result = await runCli(
    [
      "upload",
      folder,
      "--repo",
      repo,
      "--endpoint",
      emulator.url,
      "--delete",
      "*.nothing",
      "--delete",
      "logs/",
    ],
    { env },
  );
  t.equal(result.code, 0, result.stderr);
  t.match(result.stdout, "--delete *.nothing, logs/: no remote file matches (nothing to delete)");
  t.same(await files(repo), [".gitattributes", "a.bin", ...Object.keys(REMOTE)].sort(), "nothing deleted");
});

t.test(
  "bad input: a bare --delete without --watch, or mixed with patterns: ERR_USAGE, nothing journaled",
  async (t) => {
    const env = { HUBPUSH_HOME: path.join(root, "home-bad"), HF_TOKEN: WRITE_TOKEN, NO_COLOR: "1" };
    const folder = path.join(root, "none");
    const base = ["--repo", "user/del-none", "--endpoint", emulator.url];
    for (const [args, message] of [
      [["upload", folder, ...base, "--delete"], /--delete needs a pattern: --delete '\*\.txt' deletes/],
      [["add", folder, ...base, "--delete"], /--delete needs a pattern/],
      [
        ["add", folder, ...base, "--watch", "--delete", "--delete", "*.txt"],
        /give a pattern to each --delete/,
      ],
    ] as const) {
      const result = await runCli(args, { env });
      t.equal(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
      t.match(result.stderr, message, args.join(" "));
      t.match(result.stderr, "(ERR_USAGE)");
    }
    t.notOk(existsSync(resolveStatePaths(env).journal), "no journal was written");
  },
);
