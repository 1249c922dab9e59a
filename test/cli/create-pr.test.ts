import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import t from "tap";
import { resolveStatePaths } from "../../daemon/state-paths.js";
import { startEmulator } from "../../emulator/start-emulator.js";
import {
  ALICE_TOKEN,
  commit,
  createRepo,
  DEFAULT_TEST_TOKENS,
  fileLine,
  header,
  http,
  WRITE_TOKEN,
} from "../emulator/helpers.js";
import { writeTree } from "../helpers/folder-tree.js";
import { listRemoteFiles } from "../helpers/remote-repo.js";
import { runCli, spawnCli } from "../helpers/run-cli.js";

// Issue 13 item 3: --create-pr opens ONE pull request with the job's first commit; every later
// commit goes to its refs/pr/N, also after a SIGKILL and in the window where the first commit
// landed but its answer was lost. Alice may only open PRs on user's repos (the emulator refuses her
// writes to main), so each run also proves the read-access path (preupload ?create_pr=1, LFS batch
// without `ref`).

const root = mkdtempSync(path.join(tmpdir(), "hubpush-cli-pr-"));
const accessLog = path.join(root, "access.log");
const emulator = await startEmulator({
  tokens: DEFAULT_TEST_TOKENS,
  dataDir: path.join(root, "emu"),
  lfsThresholdBytes: 100,
  accessLog,
});
const TUNING = JSON.stringify({ commitSizes: [1], initialCommitSizeIndex: 0, flushIntervalMs: 50 });
const daemonEnv = {
  HUBPUSH_HOME: path.join(root, "daemon-home"),
  HF_TOKEN: ALICE_TOKEN,
  NO_COLOR: "1",
  HUBPUSH_TUNING: TUNING,
};

t.teardown(async () => {
  emulator.setFaults("");
  await runCli(["daemon", "stop"], { env: daemonEnv });
  await emulator.close();
  rmSync(root, { recursive: true, force: true });
});

interface Discussion {
  num: number;
  title: string;
  isPullRequest: boolean;
  author: { name: string };
}

async function pullRequests(repo: string): Promise<Discussion[]> {
  const res = await http(emulator.url, `/api/models/${repo}/discussions`, { token: WRITE_TOKEN });
  return res.json<{ discussions: Discussion[] }>().discussions.filter((d) => d.isPullRequest);
}

async function files(repo: string, revision: string): Promise<string[]> {
  const listed = await listRemoteFiles({ endpoint: emulator.url, id: repo, revision, token: WRITE_TOKEN });
  return [...listed.keys()].sort();
}

async function commitTitles(repo: string, revision: string): Promise<string[]> {
  const res = await http(emulator.url, `/api/models/${repo}/commits/${encodeURIComponent(revision)}`, {
    token: WRITE_TOKEN,
  });
  return res.json<Array<{ title: string }>>().map((c) => c.title);
}

/** A repo of user's with one file on main, which alice will open a PR against. */
async function seedRepo(repo: string): Promise<void> {
  t.equal((await createRepo(emulator.url, repo)).status, 200);
  t.equal(
    (await commit(emulator.url, `models/${repo}`, [header("seed"), fileLine("seed.txt", "S")])).status,
    200,
  );
}

function folderWith(name: string, count: number): string {
  const folder = path.join(root, name);
  const tree: Record<string, string> = { "big.bin": "L".repeat(500) };
  for (let i = 0; i < count; i++) tree[`f${i}.txt`] = `file ${i}`;
  writeTree(folder, tree);
  return folder;
}

type Status = {
  state: string;
  commits: number;
  pullRequest: { number: number; url: string } | null;
  options: { createPr: boolean };
};

async function statusOf(env: NodeJS.ProcessEnv, id = "1"): Promise<Status> {
  const result = await runCli(["status", id, "--json"], { env });
  if (result.code !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout) as Status;
}

async function until<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  for (let i = 0; i < 1500; i++) {
    const value = await read();
    if (ok(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

t.test(
  "add --create-pr: one PR; SIGKILL after its first commit; the resumed job stays on refs/pr/N",
  async (t) => {
    const repo = "user/pr-kill";
    await seedRepo(repo);
    const folder = folderWith("kill", 4);
    // The first commit goes through; later ones fail (transiently) until the daemon is killed.
    emulator.setFaults("route=commit,kind=status,status=503,after=1");
    t.equal((await runCli(["daemon", "start"], { env: daemonEnv })).code, 0);
    const add = await runCli(["add", folder, "--repo", repo, "--endpoint", emulator.url, "--create-pr"], {
      env: daemonEnv,
    });
    t.equal(add.code, 0, add.stderr);
    const opened = await until(
      "the PR",
      () => statusOf(daemonEnv),
      (s) => s.pullRequest !== null,
    );
    t.ok(opened.options.createPr, "createPr is stored in the job (control API field createPr)");
    t.same(opened.pullRequest, { number: 1, url: `${emulator.url}/${repo}/discussions/1` });
    t.equal(opened.commits, 1, "killed after exactly one commit");
    const shown = await runCli(["status", "1"], { env: daemonEnv });
    t.match(shown.stdout, `pull request #1: ${emulator.url}/${repo}/discussions/1`, "status prints the URL");

    const daemon = await runCli(["daemon", "status"], { env: daemonEnv });
    const pid = Number(/^pid: (\d+)$/m.exec(daemon.stdout)?.[1]);
    t.ok(pid > 0, daemon.stdout);
    process.kill(pid, "SIGKILL");
    await until(
      "the daemon to die",
      async () => existsSync(`/proc/${pid}`),
      (alive) => !alive,
    );

    emulator.setFaults("");
    t.equal(
      (await runCli(["daemon", "start"], { env: daemonEnv })).code,
      0,
      "a fresh daemon resumes the job",
    );
    const done = await runCli(["status", "1", "--watch", "--progress-interval", "100"], { env: daemonEnv });
    t.equal(done.code, 0, done.stderr);
    const final = await statusOf(daemonEnv);
    t.equal(final.state, "done");
    t.ok(final.commits >= 3, `several commits (${final.commits})`);
    t.same(
      (await pullRequests(repo)).map((d) => [d.num, d.author.name]),
      [[1, "alice"]],
      "exactly one PR, opened by alice",
    );
    t.same(
      await files(repo, "refs/pr/1"),
      [".gitattributes", "big.bin", "f0.txt", "f1.txt", "f2.txt", "f3.txt", "seed.txt"],
      "every file landed on refs/pr/1",
    );
    t.same(await files(repo, "main"), [".gitattributes", "seed.txt"], "main is unchanged");
    const onPr = (await commitTitles(repo, "refs/pr/1")).filter((c) => c.startsWith("Upload folder"));
    t.equal(onPr.length, final.commits, "all the job's commits are on the PR ref");
  },
);

t.test(
  "upload --create-pr: the first commit's answer is lost and the process SIGKILLed; the rerun finds the PR",
  async (t) => {
    const repo = "user/pr-lost";
    await seedRepo(repo);
    // Someone else's PR with the same title, opened before the job: below the floor.
    const other = await http(emulator.url, `/api/models/${repo}/discussions`, {
      token: WRITE_TOKEN,
      json: { title: "Upload folder using hubpush", pullRequest: true },
    });
    t.equal(other.status, 200, other.text);
    const folder = folderWith("lost", 2);
    const env = { HUBPUSH_HOME: path.join(root, "home-lost"), HF_TOKEN: ALICE_TOKEN, NO_COLOR: "1" };
    const args = ["upload", folder, "--repo", repo, "--endpoint", emulator.url, "--create-pr"];
    const faultsOn = (route: string, kind: string): number =>
      readFileSync(accessLog, "utf8")
        .split("\n")
        .filter(
          (l) => l.includes(`"route":"${route}"`) && l.includes(repo) && l.includes(`"fault":"${kind}"`),
        ).length;
    // 1. The floor (1) is listed, then the first commit attempt is refused (429, nothing applied;
    // Retry-After holds the next attempt for 3 s, time enough for step 2).
    emulator.setFaults("route=commit,kind=ratelimit,retry-after=3");
    const child = spawnCli(args, { env });
    t.teardown(() => {
      child.kill("SIGKILL");
      emulator.setFaults("");
    });
    await until(
      "a refused commit",
      async () => faultsOn("commit", "ratelimit"),
      (n) => n > 0,
    );
    // 2. Meanwhile alice opens another PR with the same title (#2, above the floor): only its tree
    // tells it apart from the one the job is about to open.
    const decoy = await http(emulator.url, `/api/models/${repo}/discussions`, {
      token: ALICE_TOKEN,
      json: { title: "Upload folder using hubpush", pullRequest: true },
    });
    t.equal(decoy.json<Discussion>().num, 2, decoy.text);
    // 3. The next attempt lands (PR #3) but its answer is lost; the reconciliation's discussion
    // listing is refused, so the process is killed inside the crash window.
    emulator.setFaults("route=commit,kind=lost,count=1;route=discussions,kind=status,status=503");
    // Polled through refs: the discussions route is faulted for the job now.
    await until(
      "the lost commit to land",
      async () =>
        (await http(emulator.url, `/api/models/${repo}/refs?include_prs=1`, { token: WRITE_TOKEN })).json<{
          pullRequests: unknown[];
        }>().pullRequests.length,
      (n) => n === 3,
    );
    await until(
      "the reconciliation to be refused",
      async () => faultsOn("discussions", "status"),
      (n) => n > 0,
    );
    child.kill("SIGKILL");
    await new Promise((resolve) => child.once("close", resolve));
    t.equal(child.signalCode, "SIGKILL", "the upload process was killed");
    const db = new Database(resolveStatePaths(env).journal, { readonly: true });
    const job = db.prepare("SELECT pull_request, pull_request_floor FROM jobs").get() as {
      pull_request: number | null;
      pull_request_floor: number | null;
    };
    const batches = db.prepare("SELECT state FROM commits").all() as Array<{ state: string }>;
    db.close();
    t.same(job, { pull_request: null, pull_request_floor: 1 }, "killed before the PR number was journaled");
    t.ok(
      batches.some((b) => b.state === "unknown" || b.state === "sent"),
      "the first commit is unsettled in the journal",
    );

    emulator.setFaults("");
    const rerun = await runCli(args, { env });
    t.equal(rerun.code, 0, rerun.stderr);
    t.match(rerun.stdout, `pull request #3: ${emulator.url}/${repo}/discussions/3`, "the URL is printed");
    t.same(
      (await pullRequests(repo)).map((d) => d.num).sort(),
      [1, 2, 3],
      "no other PR: the lost commit's PR (#3) was found; the older one and the same-titled #2 left alone",
    );
    t.same(await files(repo, "refs/pr/3"), [".gitattributes", "big.bin", "f0.txt", "f1.txt", "seed.txt"]);
    t.same(await files(repo, "refs/pr/1"), [".gitattributes", "seed.txt"], "the older PR is untouched");
    t.same(await files(repo, "refs/pr/2"), [".gitattributes", "seed.txt"], "the same-titled PR is untouched");
    t.same(await files(repo, "main"), [".gitattributes", "seed.txt"], "main is unchanged");
    const after = new Database(resolveStatePaths(env).journal, { readonly: true });
    t.same(
      after.prepare("SELECT pull_request FROM jobs").get(),
      { pull_request: 3 },
      "the journal keeps the PR the reconciliation found",
    );
    after.close();
  },
);

t.test("upload --revision refs/pr/N adds commits to an existing PR", async (t) => {
  const repo = "user/pr-existing";
  await seedRepo(repo);
  const created = await http(emulator.url, `/api/models/${repo}/discussions`, {
    token: ALICE_TOKEN,
    json: { title: "Alice's PR", pullRequest: true },
  });
  t.equal(created.json<Discussion>().num, 1);
  const folder = folderWith("existing", 1);
  const env = { HUBPUSH_HOME: path.join(root, "home-existing"), HF_TOKEN: ALICE_TOKEN, NO_COLOR: "1" };
  const result = await runCli(
    ["upload", folder, "--repo", repo, "--endpoint", emulator.url, "--revision", "refs/pr/1", "--json"],
    { env },
  );
  t.equal(result.code, 0, result.stderr);
  t.same((JSON.parse(result.stdout) as Status).pullRequest, {
    number: 1,
    url: `${emulator.url}/${repo}/discussions/1`,
  });
  t.same((await pullRequests(repo)).length, 1, "no PR opened");
  t.same(await files(repo, "refs/pr/1"), [".gitattributes", "big.bin", "f0.txt", "seed.txt"]);
  t.same(await files(repo, "main"), [".gitattributes", "seed.txt"]);
});

t.test(
  "bad input: --create-pr with a revision that is not a branch is refused, the journal unchanged",
  async (t) => {
    const env = { HUBPUSH_HOME: path.join(root, "home-existing"), HF_TOKEN: ALICE_TOKEN, NO_COLOR: "1" };
    const journal = resolveStatePaths(env).journal;
    const dump = (): string => {
      const db = new Database(journal, { readonly: true });
      const rows = ["jobs", "files", "commits", "remote_deletions"].map((table) =>
        JSON.stringify(db.prepare(`SELECT * FROM ${table} ORDER BY 1`).all()),
      );
      db.close();
      return rows.join("\n");
    };
    const before = dump();
    const folder = path.join(root, "existing");
    for (const [revision, message] of [
      ["refs/pr/1", /already is one: drop --create-pr to add commits to it/],
      ["refs/tags/v1", /is not a branch name/],
      ["0123456789abcdef0123456789abcdef01234567", /is not a branch name/],
    ] as const) {
      for (const command of ["upload", "add"]) {
        const result = await runCli(
          [
            command,
            folder,
            "--repo",
            "user/pr-existing",
            "--endpoint",
            emulator.url,
            "--create-pr",
            "--revision",
            revision,
          ],
          { env },
        );
        t.equal(result.code, 3, `${command} ${revision}: ${result.stderr}`);
        t.match(result.stderr, message, `${command} ${revision}`);
        t.match(result.stderr, "(ERR_CREATE_PR_REVISION)", `${command} ${revision}`);
      }
    }
    t.equal(dump(), before, "nothing in the journal changed");
  },
);
