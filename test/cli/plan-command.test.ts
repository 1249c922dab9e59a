import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { uploadFile } from "@huggingface/hub";
import t from "tap";
import { startEmulator } from "../../emulator/start-emulator.js";
import { writeTree } from "../helpers/folder-tree.js";
import { listRemoteFiles } from "../helpers/remote-repo.js";
import { runCli } from "../helpers/run-cli.js";

const TOKEN = "hf_plan_write";
const KiB = 1024;

const root = mkdtempSync(path.join(tmpdir(), "hubpush-plan-"));
t.teardown(() => rmSync(root, { recursive: true, force: true }));
const accessLog = path.join(root, "access.log");
const emulator = await startEmulator({
  tokens: [`${TOKEN}:write:user`],
  dataDir: path.join(root, "emulator"),
  accessLog,
  pageSize: 5,
});
t.teardown(() => emulator.close());

let homes = 0;
function cliEnv(extra: Record<string, string> = {}): { HUBPUSH_HOME: string } & Record<string, string> {
  return {
    HUBPUSH_HOME: path.join(root, `home-${homes++}`),
    HF_HOME: path.join(root, "hf-empty"),
    NO_COLOR: "1",
    HF_TOKEN: TOKEN,
    ...extra,
  };
}
const common = (repo: string) => ["--repo", repo, "--endpoint", emulator.url];

interface Count {
  files: number;
  bytes: number;
}
interface PlanJsonShape {
  version: number;
  remote: { repoExists: boolean; branchExists: boolean; remoteFiles: number };
  modesFrom: string;
  files: Record<"local" | "excluded" | "regular" | "lfs" | "upload" | "alreadyOnHub" | "ignored", Count>;
  ignoredPaths: string[];
  deletions: { patterns: string[]; paths: string[] };
  commits: number;
  rateBytesPerSec: number | null;
  estimatedSeconds: number | null;
  warnings: Array<{ kind: string; path: string; value: number; limit: number }>;
  bytesHashed: number;
}
interface StatusShape {
  commits: number;
  files: Record<string, Count>;
}

/** Access-log routes requested since `from` lines. */
function logLines(): string[] {
  let text = "";
  try {
    text = readFileSync(accessLog, "utf8");
  } catch {
    return [];
  }
  return text.split("\n").filter((l) => l !== "");
}
function routesSince(from: number): string[] {
  const lines = logLines().slice(from);
  return lines.map((l) => (JSON.parse(l) as { route: string }).route);
}
const logLength = (): number => logLines().length;
const WRITES = /^(commit|create-repo|branch|lfs-.*|xet-.*|repo-delete|tag)$/;

t.test("plan's counts are what the following upload does; plan writes nothing", async (t) => {
  const folder = path.join(root, "data");
  const files: Record<string, string | Buffer> = {
    "README.md": "# hello\n",
    "empty.txt": "",
    "weights/model.bin": randomBytes(40 * KiB),
    "weights/extra.safetensors": randomBytes(20 * KiB),
    ".gitignore": "*.log\n",
    "debug.log": "excluded by .gitignore\n",
    "scratch.tmp": "excluded by --exclude\n",
  };
  for (let i = 0; i < 12; i++) files[`dir-${i % 3}/file-${i}.txt`] = `file ${i}\n`;
  writeTree(folder, files);
  const env = cliEnv();
  const repo = "user/plan-me";
  const journal = path.join(env.HUBPUSH_HOME, "journal.sqlite");

  // 1. The repo does not exist yet: modes from the Hub's rules, applied locally.
  const before = logLength();
  const first = await runCli(
    ["plan", folder, ...common(repo), "--exclude", "*.tmp", "--rate", "10k", "--json"],
    {
      env,
    },
  );
  t.equal(first.code, 0, first.stderr);
  const p1 = JSON.parse(first.stdout) as PlanJsonShape;
  t.equal(p1.version, 1);
  t.same(p1.remote, { repoExists: false, branchExists: false, baseRevision: "main", remoteFiles: 0 });
  t.equal(p1.modesFrom, "local-rules");
  t.same(p1.files.local, { files: 17, bytes: p1.files.upload.bytes });
  t.same(p1.files.excluded.files, 2, "debug.log and scratch.tmp");
  t.equal(p1.files.lfs.files, 2, "*.bin and *.safetensors are LFS by the Hub's default rules");
  t.equal(p1.files.lfs.bytes, 60 * KiB);
  t.equal(p1.files.regular.files, 15);
  t.equal(p1.files.alreadyOnHub.files, 0);
  t.equal(p1.commits, 1);
  t.equal(p1.rateBytesPerSec, 10_000);
  t.equal(p1.estimatedSeconds, Math.ceil(p1.files.upload.bytes / 10_000));
  t.same(p1.warnings, []);
  t.notOk(
    routesSince(before).some((r) => WRITES.test(r)),
    "no write route was called",
  );
  t.throws(() => statSync(journal), "plan created no journal");

  const up = await runCli(["upload", folder, ...common(repo), "--exclude", "*.tmp", "--json"], { env });
  t.equal(up.code, 0, up.stderr);
  const s1 = JSON.parse(up.stdout) as StatusShape;
  t.equal(s1.files.committed?.files, p1.files.upload.files, "committed = planned uploads");
  t.equal(s1.files.committed?.bytes, p1.files.upload.bytes);
  t.equal(s1.files.skipped?.files, 0);
  t.equal(s1.commits, p1.commits, "commits as estimated");
  const remote = await listRemoteFiles({ endpoint: emulator.url, id: repo, token: TOKEN });
  t.equal(
    [...remote.values()].filter((e) => e.lfs !== null).length,
    p1.files.lfs.files,
    "LFS files as planned",
  );

  const one = await runCli(
    ["plan", path.join(folder, "weights/model.bin"), ...common(repo), "--path-in-repo", "weights/", "--json"],
    {
      env,
    },
  );
  t.equal(one.code, 0, one.stderr);
  const pOne = JSON.parse(one.stdout) as PlanJsonShape;
  t.same(
    [pOne.files.local.files, pOne.files.alreadyOnHub.files, pOne.commits],
    [1, 1, 0],
    "one file, already there",
  );
  t.equal(pOne.bytesHashed, 40 * KiB, "a one-file plan has no folder job's hashes to reuse");

  // 2. The repo exists: preupload answers; one change, one new file, remote files to delete, one
  // file the repo's own rules ignore (a .gitignore another client put in the repo, applied
  // because this job uploads no root .gitignore: it goes under --path-in-repo).
  const sub = path.join(root, "sub");
  writeTree(sub, { "keep.txt": "keep\n", "x.skip": "ignored by the Hub\n", "old.txt": "local\n" });
  const hub = { hubUrl: emulator.url, accessToken: TOKEN, repo };
  await uploadFile({ ...hub, file: { path: ".gitignore", content: new Blob(["*.skip\n"]) } });
  await uploadFile({ ...hub, file: { path: "s/stale.txt", content: new Blob(["delete me\n"]) } });
  await uploadFile({ ...hub, file: { path: "s/old.txt", content: new Blob(["remote\n"]) } });
  await uploadFile({ ...hub, file: { path: "s/notes.md", content: new Blob(["not matched\n"]) } });
  await uploadFile({ ...hub, file: { path: "outside.txt", content: new Blob(["outside the prefix\n"]) } });
  const env2 = cliEnv();
  const before2 = logLength();
  const second = await runCli(
    ["plan", sub, ...common(repo), "--path-in-repo", "s", "--delete", "*.txt", "--json"],
    { env: env2 },
  );
  t.equal(second.code, 0, second.stderr);
  const p2 = JSON.parse(second.stdout) as PlanJsonShape;
  t.equal(p2.modesFrom, "preupload");
  t.equal(p2.files.local.files, 3);
  t.equal(p2.files.ignored.files, 1);
  t.same(p2.ignoredPaths, ["s/x.skip"]);
  t.equal(p2.files.upload.files, 2, "keep.txt is new, old.txt differs");
  t.same(p2.deletions.paths, ["s/stale.txt"], "only under the prefix, never a path the job uploads");
  t.notOk(
    routesSince(before2).some((r) => WRITES.test(r)),
    "no write route was called",
  );
  t.ok(routesSince(before2).includes("preupload"), "preupload was asked");

  const up2 = await runCli(["upload", sub, ...common(repo), "--path-in-repo", "s", "--json"], { env: env2 });
  t.equal(up2.code, 0, up2.stderr);
  const s2 = JSON.parse(up2.stdout) as StatusShape;
  t.equal(s2.files.committed?.files, p2.files.upload.files);
  t.equal(s2.files.ignored?.files, p2.files.ignored.files);
  t.equal(s2.files.skipped?.files, p2.files.alreadyOnHub.files);

  // 3. Again after one local change: the rest is already on the Hub; the journal is read, not written.
  writeFileSync(path.join(sub, "keep.txt"), "changed\n");
  const journal2 = path.join(env2.HUBPUSH_HOME, "journal.sqlite");
  const journalBefore = readFileSync(journal2);
  const third = await runCli(["plan", sub, ...common(repo), "--path-in-repo", "s", "--json"], { env: env2 });
  t.equal(third.code, 0, third.stderr);
  const p3 = JSON.parse(third.stdout) as PlanJsonShape;
  t.equal(p3.files.alreadyOnHub.files, 1, "old.txt");
  t.equal(p3.files.upload.files, 1, "keep.txt");
  t.equal(p3.bytesHashed, "changed\n".length, "unchanged files' hashes came from the journal");
  t.ok(readFileSync(journal2).equals(journalBefore), "the journal file is unchanged");
  const dev = await runCli(
    ["plan", sub, ...common(repo), "--path-in-repo", "s", "--revision", "dev", "--json"],
    {
      env: env2,
    },
  );
  t.equal(dev.code, 0, dev.stderr);
  const pDev = JSON.parse(dev.stdout) as PlanJsonShape;
  t.same(pDev.remote, {
    repoExists: true,
    branchExists: false,
    baseRevision: "main",
    remoteFiles: p3.remote.remoteFiles,
  });
  t.equal(pDev.files.alreadyOnHub.files, 1, "a new branch starts from main: old.txt is there already");
  const up3 = await runCli(["upload", sub, ...common(repo), "--path-in-repo", "s", "--json"], { env: env2 });
  const s3 = JSON.parse(up3.stdout) as StatusShape;
  t.equal(s3.commits - s2.commits, p3.commits, "one more commit, as planned");
});

t.test("repository limits, lowered: plan and upload name the paths", async (t) => {
  const folder = path.join(root, "limits");
  const files: Record<string, string | Buffer> = {
    "big/huge.bin": randomBytes(30 * KiB),
    "big/large.bin": randomBytes(12 * KiB),
  };
  for (let i = 0; i < 5; i++) files[`crowded/f-${i}.txt`] = `${i}\n`;
  writeTree(folder, files);
  const env = cliEnv({
    HUBPUSH_REPO_LIMITS: JSON.stringify({
      maxRepoFiles: 5,
      maxFolderEntries: 4,
      recommendedFileBytes: 10 * KiB,
      maxFileBytes: 20 * KiB,
    }),
  });
  const plan = await runCli(["plan", folder, ...common("user/limits"), "--json"], { env });
  t.equal(plan.code, 0, plan.stderr);
  const p = JSON.parse(plan.stdout) as PlanJsonShape;
  t.same(
    p.warnings.map((w) => [w.kind, w.path]),
    [
      ["repo-files", ""],
      ["file-size-refused", "big/huge.bin"],
      ["file-size-recommended", "big/large.bin"],
      ["folder-entries", "crowded"],
    ],
  );
  t.match(plan.stderr, /warning: crowded.*5 entries|folder crowded will hold 5 entries/);
  t.match(plan.stderr, "big/large.bin is 12288 bytes");
  t.match(plan.stderr, "big/huge.bin is 30720 bytes, over the Hub's 20480-byte limit per file");
  t.same(
    (p as unknown as { notUploadable: Array<{ path: string; code: string }> }).notUploadable.map((n) => [
      n.path,
      n.code,
    ]),
    [["big/huge.bin", "ERR_FILE_TOO_LARGE"]],
    "over the hard limit: not uploadable",
  );
  t.equal(p.files.local.files, 6, "the refused file is not counted as uploaded");

  const up = await runCli(["upload", folder, ...common("user/limits"), "--json"], { env });
  t.match(up.stderr, "folder crowded will hold 5 entries, over the Hub's 4 per folder");
  t.match(up.stderr, "big/huge.bin is 30720 bytes, over the Hub's 20480-byte limit per file");
  t.match(up.stderr, "the repo will hold 6 files, over the Hub's 5 per repo");
});

t.test("bad input: plan without a token, with a stable code; nothing written", async (t) => {
  const folder = path.join(root, "no-token");
  writeTree(folder, { "a.txt": "A\n" });
  const env = cliEnv();
  delete (env as Record<string, string>).HF_TOKEN;
  const before = logLength();
  const r = await runCli(["plan", folder, ...common("user/plan-me")], { env });
  t.equal(r.code, 4, r.stderr);
  t.match(
    r.stderr,
    /plan asks the Hub .* no Hub token found: give --token-file FILE, set HF_TOKEN.*\(ERR_TOKEN_MISSING\)/s,
  );
  t.equal(r.stdout, "");
  t.equal(logLength(), before, "the Hub was not called");
  t.throws(() => statSync(path.join(env.HUBPUSH_HOME, "journal.sqlite")), "no journal was created");
  const badRate = await runCli(["plan", folder, ...common("user/plan-me"), "--rate", "5X"], {
    env: cliEnv(),
  });
  t.equal(badRate.code, 2);
  t.match(badRate.stderr, /--rate "5X" is not a rate.*ERR_USAGE/s);
});
