import { randomBytes } from "node:crypto";
import path from "node:path";
import t from "tap";
import { startEmulator } from "../../emulator/start-emulator.js";
import { HubpushError, uploadFolder, uploadLargeFolder } from "../../lib/index.js";
import { readTree, writeTree } from "../helpers/folder-tree.js";
import { downloadRepo } from "./fixtures/hub-download.js";
import { shortHome } from "./fixtures/short-home.js";

const TOKEN = "hf_emulator_default";

t.test("uploadFolder: one commit, downloaded back byte-identical by @huggingface/hub", async (t) => {
  const emulator = await startEmulator({ lfsThresholdBytes: 1024 });
  t.teardown(() => emulator.close());
  const dir = t.testdir();
  const home = shortHome(t);
  const folder = path.join(dir, "data");
  writeTree(folder, {
    "a.txt": "hello\n",
    "sub/b.json": '{"x":1}\n',
    "big.bin": randomBytes(200_000),
    "skip.tmp": "left out",
  });
  const seen: string[] = [];
  const result = await uploadFolder({
    folderPath: folder,
    repoId: "user/lib-one",
    repoType: "dataset",
    pathInRepo: "up",
    commitMessage: "first",
    ignorePatterns: ["*.tmp"],
    token: TOKEN,
    endpoint: emulator.url,
    hubpushHome: home,
    onProgress: (s) => seen.push(s.state),
  });
  t.equal(result.commits.length, 1, "one commit");
  t.match(result.commits[0]?.url, new RegExp(`^${emulator.url}/datasets/user/lib-one/commit/[0-9a-f]{40}$`));
  t.equal(result.counts.committed.files, 3);
  t.equal(result.counts.failed.files, 0);
  t.ok(seen.length > 0, "onProgress was called");
  const remote = await downloadRepo(emulator.url, TOKEN, { type: "dataset", name: "user/lib-one" });
  const local = readTree(folder);
  for (const [rel, bytes] of local) {
    if (rel.endsWith(".tmp")) t.notOk(remote.has(`up/${rel}`), "ignored file not uploaded");
    else t.ok(remote.get(`up/${rel}`)?.equals(bytes), `${rel} byte-identical`);
  }

  const again = await uploadFolder({
    folderPath: folder,
    repoId: "user/lib-one",
    repoType: "dataset",
    pathInRepo: "up",
    ignorePatterns: "*.tmp",
    token: TOKEN,
    endpoint: emulator.url,
    hubpushHome: home,
  });
  t.same(again.commits, [], "nothing changed: no new commit");
  t.equal(again.jobId, result.jobId, "the same journaled job");
});

t.test("uploadLargeFolder: several commits once the folder exceeds one batch", async (t) => {
  const emulator = await startEmulator();
  t.teardown(() => emulator.close());
  const dir = t.testdir();
  const home = shortHome(t);
  const folder = path.join(dir, "many");
  const files: Record<string, string> = {};
  for (let i = 0; i < 300; i++) files[`f/${String(i).padStart(3, "0")}.txt`] = `line ${i}\n`;
  writeTree(folder, files);
  const common = {
    folderPath: folder,
    repoId: "user/lib-large",
    token: TOKEN,
    endpoint: emulator.url,
    hubpushHome: home,
  };
  const large = await uploadLargeFolder(common);
  t.ok(large.commits.length >= 2, `several commits (${large.commits.length})`);
  t.equal(large.counts.committed.files, 300);

  const other = path.join(dir, "many2");
  writeTree(other, files);
  const single = await uploadFolder({ ...common, folderPath: other, repoId: "user/lib-large2" });
  t.equal(single.commits.length, 1, "uploadFolder keeps 300 files in one commit");
  const remote = await downloadRepo(emulator.url, TOKEN, { type: "model", name: "user/lib-large2" });
  t.equal([...remote.keys()].filter((p) => p.startsWith("f/")).length, 300);
});

t.test("concurrent calls of one program share the state directory", async (t) => {
  const emulator = await startEmulator();
  t.teardown(() => emulator.close());
  const dir = t.testdir();
  const home = shortHome(t);
  const calls = [0, 1, 2].map((i) => {
    const folder = path.join(dir, `c${i}`);
    writeTree(folder, { [`f${i}.txt`]: `${i}\n` });
    return uploadFolder({
      folderPath: folder,
      repoId: `user/conc-${i}`,
      token: TOKEN,
      endpoint: emulator.url,
      hubpushHome: home,
    });
  });
  const results = await Promise.all(calls);
  t.same(
    results.map((r) => r.commits.length),
    [1, 1, 1],
    "three parallel uploads, one commit each",
  );
  t.equal(new Set(results.map((r) => r.jobId)).size, 3, "three jobs in the one journal");

  const same = {
    folderPath: path.join(dir, "c0"),
    repoId: "user/conc-same",
    token: TOKEN,
    endpoint: emulator.url,
    hubpushHome: home,
  };
  const first = uploadFolder({
    ...same,
    onProgress: () => {
      throw new Error("a careless callback");
    },
  });
  const second = await uploadFolder(same).catch((e: unknown) => e);
  t.match(second, { code: "ERR_JOB_STATE" }, "the same upload twice at once in one program is refused");
  t.equal((await first).commits.length, 1, "the first goes on (and a throwing onProgress does not stop it)");
});

t.test("wrong option types give ERR_USAGE naming the option", async (t) => {
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ folderPath: 3, repoId: "a/b" }, "folderPath"],
    [{ folderPath: "/tmp", repoId: ["a/b"] }, "repoId"],
    [{ folderPath: "/tmp", repoId: "a/b", repoType: "modle" }, "repoType"],
    [{ folderPath: "/tmp", repoId: "a/b", ignorePatterns: [1] }, "ignorePatterns"],
    [{ folderPath: "/tmp", repoId: "a/b", private: "yes" }, "private"],
    [{ folderPath: "/tmp", repoId: "a/b", signal: {} }, "signal"],
    [{ folderPath: "/tmp", repoId: "a/b", onProgress: "x" }, "onProgress"],
  ];
  for (const [options, name] of cases) {
    const err = await uploadFolder(options as never).catch((e: unknown) => e);
    t.ok(err instanceof HubpushError, `${name}: a HubpushError`);
    t.equal((err as HubpushError).code, "ERR_USAGE", name);
    t.match((err as HubpushError).message, `\`${name}\``, `${name} is named`);
  }
  const notObject = await uploadFolder("folder" as never).catch((e: unknown) => e);
  t.equal((notObject as HubpushError).code, "ERR_USAGE");
});
