import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { deleteFile, uploadFile } from "@huggingface/hub";
import t from "tap";
import { startEmulator } from "../../emulator/start-emulator.js";
import { writeTree } from "../helpers/folder-tree.js";
import { runCli } from "../helpers/run-cli.js";

const TOKEN = "hf_verify_write";
const KiB = 1024;

const root = mkdtempSync(path.join(tmpdir(), "hubpush-verify-"));
t.teardown(() => rmSync(root, { recursive: true, force: true }));
const emulator = await startEmulator({
  tokens: [`${TOKEN}:write:user`],
  lfsThresholdBytes: 64 * KiB,
  dataDir: path.join(root, "emulator"),
  // Small pages: the tree listing must follow Link pagination to see every file.
  pageSize: 7,
});
t.teardown(() => emulator.close());

let homes = 0;
function cliEnv(home?: string): { HUBPUSH_HOME: string } & Record<string, string> {
  return {
    HUBPUSH_HOME: home ?? path.join(root, `home-${homes++}`),
    HF_HOME: path.join(root, "hf-empty"),
    NO_COLOR: "1",
    HF_TOKEN: TOKEN,
  };
}
const common = (repo: string) => ["--repo", repo, "--endpoint", emulator.url];

interface VerifyJsonShape {
  version: number;
  ok: boolean;
  summary: Record<string, number>;
  identical: string[];
  different: Array<{ path: string; remoteMode: string; local: { oid: string }; remote: { oid: string } }>;
  missingRemotely: string[];
  onlyRemote: string[];
  unreadable: unknown[];
}

t.test(
  "verify after an upload: all identical from the journal; then exactly the three differences",
  async (t) => {
    const folder = path.join(root, "data");
    const files: Record<string, string | Buffer> = {
      "README.md": "# hello\n",
      "empty.txt": "",
      "weights/model.bin": randomBytes(100 * KiB),
      "weights/other.bin": randomBytes(80 * KiB),
      ".gitignore": "*.log\n",
      "debug.log": "not uploaded, not compared\n",
    };
    for (let i = 0; i < 20; i++) files[`dir-${i % 3}/file-${i}.txt`] = `file ${i}\n`;
    writeTree(folder, files);
    const env = cliEnv();
    const repo = "user/verify-me";
    const up = await runCli(["upload", folder, ...common(repo)], { env });
    t.equal(up.code, 0, up.stderr);

    const journal = path.join(env.HUBPUSH_HOME, "journal.sqlite");
    const journalBefore = readFileSync(journal);
    const first = await runCli(["verify", folder, ...common(repo), "--json"], { env });
    t.equal(first.code, 0, first.stderr);
    const ok = JSON.parse(first.stdout) as VerifyJsonShape;
    t.equal(ok.version, 1);
    t.equal(ok.ok, true);
    t.equal(ok.summary.localFiles, 25, "the .gitignore'd log is not a local file of the upload");
    t.equal(ok.summary.identical, 25);
    t.equal(ok.summary.bytesHashed, 0, "every hash came from the journal");
    t.equal(ok.summary.filesFromJournal, 25);
    t.same([ok.different, ok.missingRemotely, ok.onlyRemote, ok.unreadable], [[], [], [], []]);
    t.ok(readFileSync(journal).equals(journalBefore), "the journal file is unchanged");

    const text = await runCli(["verify", folder, ...common(repo)], { env });
    t.equal(text.code, 0, text.stderr);
    t.match(text.stdout, /^identical: /m);
    t.match(text.stdout, "identical 25, different 0, missing remotely 0, only remote 0");
    t.match(text.stdout, "hashed 0 files (0 bytes); 25 from the journal");

    // One byte changed locally (same size: only the hash tells), one remote file deleted and one
    // added by another client.
    const model = path.join(folder, "weights/model.bin");
    const bytes = readFileSync(model);
    bytes[5] = (bytes[5] ?? 0) ^ 0xff;
    writeFileSync(model, bytes);
    const hub = { hubUrl: emulator.url, accessToken: TOKEN, repo };
    await deleteFile({ ...hub, path: "dir-1/file-4.txt" });
    await uploadFile({ ...hub, file: { path: "dir-2/extra.txt", content: new Blob(["extra\n"]) } });

    const second = await runCli(["verify", folder, ...common(repo), "--json"], { env });
    t.equal(second.code, 1, "differences: exit 1");
    t.match(second.stderr, "ERR_VERIFY_MISMATCH");
    const bad = JSON.parse(second.stdout) as VerifyJsonShape;
    t.equal(bad.ok, false);
    t.same(
      bad.different.map((d) => [d.path, d.remoteMode]),
      [["weights/model.bin", "lfs"]],
    );
    t.not(bad.different[0]?.local.oid, bad.different[0]?.remote.oid);
    t.same(bad.missingRemotely, ["dir-1/file-4.txt"]);
    t.same(bad.onlyRemote, ["dir-2/extra.txt"]);
    t.equal(bad.summary.identical, 23);
    t.equal(bad.summary.filesHashed, 1, "only the changed file is read");
    t.equal(bad.summary.bytesHashed, statSync(model).size);

    const secondText = await runCli(["verify", folder, ...common(repo)], { env });
    t.equal(secondText.code, 1);
    t.match(secondText.stdout, /^different\s+weights\/model\.bin/m);
    t.match(secondText.stdout, /^missing remotely\s+dir-1\/file-4\.txt$/m);
    t.match(secondText.stdout, /^only remote\s+dir-2\/extra\.txt$/m);
    t.equal(secondText.stdout.split("\n").filter((l) => /^(different|missing|only)/.test(l)).length, 3);
    t.ok(readFileSync(journal).equals(journalBefore), "the journal file is still unchanged");
  },
);

t.test("a folder uploaded by another tool is hashed; --path-in-repo and filters as upload", async (t) => {
  const folder = path.join(root, "other-tool");
  writeTree(folder, { "a.txt": "A\n", "b.bin": randomBytes(70 * KiB), "skip.tmp": "x" });
  const repo = "user/other-tool";
  const hub = { hubUrl: emulator.url, accessToken: TOKEN, repo };
  const { createRepo } = await import("@huggingface/hub");
  await createRepo({ ...hub });
  await uploadFile({ ...hub, file: { path: "sub/a.txt", content: new Blob(["A\n"]) } });
  await uploadFile({
    ...hub,
    file: { path: "sub/b.bin", content: new Blob([readFileSync(path.join(folder, "b.bin"))]) },
  });
  await uploadFile({ ...hub, file: { path: "sub/c.tmp", content: new Blob(["excluded remotely too"]) } });
  await uploadFile({ ...hub, file: { path: "elsewhere.txt", content: new Blob(["outside the prefix"]) } });
  const env = cliEnv();
  const r = await runCli(
    ["verify", folder, ...common(repo), "--path-in-repo", "sub", "--exclude", "*.tmp", "--json"],
    { env },
  );
  t.equal(r.code, 0, r.stdout + r.stderr);
  const out = JSON.parse(r.stdout) as VerifyJsonShape;
  t.same(out.identical, ["sub/a.txt", "sub/b.bin"]);
  t.equal(out.summary.filesHashed, 2);
  t.equal(out.summary.bytesHashed, 2 + 70 * KiB, "both files were read");

  const single = await runCli(
    ["verify", path.join(folder, "b.bin"), ...common(repo), "--path-in-repo", "sub/b.bin", "--json"],
    { env },
  );
  t.equal(single.code, 0, single.stdout + single.stderr);
  t.same((JSON.parse(single.stdout) as VerifyJsonShape).identical, ["sub/b.bin"]);
  const intoFolder = await runCli(
    ["verify", path.join(folder, "b.bin"), ...common(repo), "--path-in-repo", "sub/", "--json"],
    { env },
  );
  t.equal(intoFolder.code, 0, "a --path-in-repo ending in / is the folder the file is in");
  t.same((JSON.parse(intoFolder.stdout) as VerifyJsonShape).identical, ["sub/b.bin"]);
  const wrong = await runCli(["verify", path.join(folder, "a.txt"), ...common(repo), "--json"], { env });
  t.equal(wrong.code, 1, "a.txt is not at the root");
  t.same((JSON.parse(wrong.stdout) as VerifyJsonShape).missingRemotely, ["a.txt"]);
});

t.test("bad input: a missing repo or branch, with stable codes; nothing written", async (t) => {
  const folder = path.join(root, "bad");
  writeTree(folder, { "a.txt": "A\n" });
  const env = cliEnv();
  const noRepo = await runCli(["verify", folder, ...common("user/does-not-exist")], { env });
  t.equal(noRepo.code, 7, noRepo.stderr);
  t.match(noRepo.stderr, /user\/does-not-exist does not exist.*check --repo.*ERR_HUB_REPO_NOT_FOUND/s);
  t.equal(noRepo.stdout, "");
  const noBranch = await runCli(["verify", folder, ...common("user/verify-me"), "--revision", "nope"], {
    env,
  });
  t.match(noBranch.stderr, /no branch "nope".*ERR_HUB_REVISION_NOT_FOUND/s);
  t.not(noBranch.code, 0);
  let created = true;
  try {
    statSync(path.join(env.HUBPUSH_HOME, "journal.sqlite"));
  } catch {
    created = false;
  }
  t.equal(created, false, "verify never creates a journal");
});
