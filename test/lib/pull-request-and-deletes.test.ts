import path from "node:path";
import t from "tap";
import { startEmulator } from "../../emulator/start-emulator.js";
import { CommitOperationAdd, createCommit, uploadFolder } from "../../lib/index.js";
import { writeTree } from "../helpers/folder-tree.js";
import { downloadRepo } from "./fixtures/hub-download.js";
import { shortHome } from "./fixtures/short-home.js";

const TOKEN = "hf_emulator_default";

// The library passes createPr and deletePatterns to the same engine paths as the CLI's
// --create-pr and --delete (issue 14 builds on issue 13): one PR, deletions in the first commit.
t.test(
  "uploadFolder with createPr and deletePatterns: one PR, matching remote files deleted there",
  async (t) => {
    const emulator = await startEmulator();
    t.teardown(() => emulator.close());
    const dir = t.testdir();
    const home = shortHome(t);
    const before = path.join(dir, "before");
    writeTree(before, { "old.txt": "old\n", "keep.md": "keep\n", "a.txt": "first a\n" });
    const common = { repoId: "user/lib-pr", token: TOKEN, endpoint: emulator.url, hubpushHome: home };
    await uploadFolder({ ...common, folderPath: before });

    const folder = path.join(dir, "data");
    writeTree(folder, { "a.txt": "new a\n", "b.bin": "b\n" });
    const result = await uploadFolder({
      ...common,
      folderPath: folder,
      createPr: true,
      deletePatterns: "*.txt",
      commitMessage: "contribution",
    });
    t.equal(result.commits.length, 1, "one commit");
    t.equal(result.pullRequest?.number, 1, "the result names the pull request");
    t.match(result.pullRequest?.url, /\/user\/lib-pr\/discussions\/1$/);

    const pr = await downloadRepo(emulator.url, TOKEN, { type: "model", name: "user/lib-pr" }, "refs/pr/1");
    t.equal(pr.get("a.txt")?.toString(), "new a\n", "the uploaded a.txt is kept, not deleted");
    t.notOk(pr.has("old.txt"), "old.txt matched *.txt and is deleted in the PR");
    t.equal(pr.get("keep.md")?.toString(), "keep\n", "keep.md does not match");
    t.equal(pr.get("b.bin")?.toString(), "b\n");
    const main = await downloadRepo(emulator.url, TOKEN, { type: "model", name: "user/lib-pr" });
    t.equal(main.get("a.txt")?.toString(), "first a\n", "main unchanged");
    t.ok(main.has("old.txt"), "main keeps old.txt");
  },
);

t.test("createCommit with createPr opens a pull request and names it", async (t) => {
  const emulator = await startEmulator();
  t.teardown(() => emulator.close());
  const home = shortHome(t);
  const common = { repoId: "user/lib-cc-pr", token: TOKEN, endpoint: emulator.url, hubpushHome: home };
  const seed = path.join(t.testdir(), "seed");
  writeTree(seed, { "x.txt": "x\n" });
  await uploadFolder({ ...common, folderPath: seed });
  const answer = await createCommit({
    ...common,
    commitMessage: "proposal",
    createPr: true,
    operations: [new CommitOperationAdd({ pathInRepo: "y.txt", pathOrFileobj: Buffer.from("y\n") })],
  });
  t.equal(answer.pullRequest?.number, 1);
  const pr = await downloadRepo(emulator.url, TOKEN, { type: "model", name: "user/lib-cc-pr" }, "refs/pr/1");
  t.equal(pr.get("y.txt")?.toString(), "y\n", "the file is on refs/pr/1");
  const main = await downloadRepo(emulator.url, TOKEN, { type: "model", name: "user/lib-cc-pr" });
  t.notOk(main.has("y.txt"), "not on main");
});
