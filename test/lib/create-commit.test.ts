import { randomBytes } from "node:crypto";
import path from "node:path";
import { Readable } from "node:stream";
import t from "tap";
import { startEmulator } from "../../emulator/start-emulator.js";
import {
  CommitOperationAdd,
  CommitOperationCopy,
  CommitOperationDelete,
  createCommit,
  HubpushError,
  preuploadLfsFiles,
  uploadFolder,
} from "../../lib/index.js";
import { readAccessLog } from "../emulator/fixtures/read-access-log.js";
import { writeTree } from "../helpers/folder-tree.js";
import { downloadRepo } from "./fixtures/hub-download.js";
import { shortHome } from "./fixtures/short-home.js";

const TOKEN = "hf_emulator_default";

t.test("createCommit: add, delete, copy; preuploadLfsFiles; duplicates refused", async (t) => {
  const dir = t.testdir();
  const accessLog = path.join(dir, "access.log");
  const emulator = await startEmulator({ lfsThresholdBytes: 1024, accessLog });
  t.teardown(() => emulator.close());
  const home = shortHome(t);
  const hub = { token: TOKEN, endpoint: emulator.url, hubpushHome: home };
  const big = randomBytes(150_000);
  writeTree(path.join(dir, "seed"), {
    "big.bin": big,
    "old.txt": "old\n",
    "logs/a.log": "a",
    "logs/b.log": "b",
  });
  await uploadFolder({ ...hub, folderPath: path.join(dir, "seed"), repoId: "user/ops" });

  const streamed = randomBytes(90_000);
  const regular = Buffer.from("regular\n");
  const first = await createCommit({
    ...hub,
    repoId: "user/ops",
    commitMessage: "adds and deletes",
    commitDescription: "from the library",
    operations: [
      new CommitOperationAdd({ pathInRepo: "new/regular.txt", pathOrFileobj: regular }),
      new CommitOperationAdd({ pathInRepo: "new/streamed.bin", pathOrFileobj: Readable.from([streamed]) }),
      new CommitOperationDelete({ pathInRepo: "old.txt" }),
      new CommitOperationDelete({ pathInRepo: "logs/" }),
    ],
  });
  t.match(first.oid, /^[0-9a-f]{40}$/);
  t.match(first.url, `/user/ops/commit/${first.oid}`);

  const before = (await readAccessLog(accessLog)).length;
  const copy = await createCommit({
    ...hub,
    repoId: "user/ops",
    commitMessage: "copy",
    operations: [new CommitOperationCopy({ srcPathInRepo: "big.bin", pathInRepo: "copies/big.bin" })],
  });
  t.not(copy.oid, first.oid);
  const copyRequests = (await readAccessLog(accessLog)).slice(before).map((e) => e.route);
  t.same(
    copyRequests.sort(),
    ["commit", "paths-info"],
    "a copy asks paths-info and commits: no upload request",
  );

  const remote = await downloadRepo(emulator.url, TOKEN, "user/ops");
  t.ok(remote.get("big.bin")?.equals(big), "seed LFS file intact");
  t.ok(remote.get("copies/big.bin")?.equals(big), "copy byte-identical");
  t.ok(remote.get("new/regular.txt")?.equals(regular), "regular add byte-identical");
  t.ok(remote.get("new/streamed.bin")?.equals(streamed), "streamed LFS add byte-identical");
  t.notOk(remote.has("old.txt"), "file deleted");
  t.notOk(remote.has("logs/a.log") || remote.has("logs/b.log"), "folder deleted");

  // preuploadLfsFiles first: createCommit then only commits.
  const later = randomBytes(80_000);
  const add = new CommitOperationAdd({ pathInRepo: "later.bin", pathOrFileobj: later });
  await preuploadLfsFiles("user/ops", [add], hub);
  t.equal(add.uploadInfo?.uploaded, true, "uploaded by preuploadLfsFiles");
  const mark = (await readAccessLog(accessLog)).length;
  await createCommit({ ...hub, repoId: "user/ops", commitMessage: "later", operations: [add] });
  const routes = (await readAccessLog(accessLog)).slice(mark).map((e) => e.route);
  t.same(routes, ["commit"], "createCommit after preuploadLfsFiles only commits");
  t.ok((await downloadRepo(emulator.url, TOKEN, "user/ops")).get("later.bin")?.equals(later));

  const quiet = (await readAccessLog(accessLog)).length;
  const dup = await createCommit({
    ...hub,
    repoId: "user/ops",
    commitMessage: "dup",
    operations: [
      new CommitOperationAdd({ pathInRepo: "x.txt", pathOrFileobj: Buffer.from("1") }),
      new CommitOperationDelete({ pathInRepo: "./x.txt" }),
    ],
  }).catch((e: unknown) => e);
  t.ok(dup instanceof HubpushError);
  t.equal((dup as HubpushError).code, "ERR_USAGE");
  t.match((dup as HubpushError).message, /x\.txt appears twice/);
  t.equal((await readAccessLog(accessLog)).length, quiet, "refused before any request");

  async function* broken(): AsyncGenerator<Uint8Array> {
    yield Buffer.from("half");
    throw new Error("producer crashed");
  }
  const beforeBroken = (await readAccessLog(accessLog)).length;
  const streamErr = await createCommit({
    ...hub,
    repoId: "user/ops",
    commitMessage: "broken",
    operations: [new CommitOperationAdd({ pathInRepo: "broken.bin", pathOrFileobj: broken() })],
  }).catch((e: unknown) => e);
  t.equal(
    (streamErr as HubpushError).code,
    "ERR_FILE_UNREADABLE",
    "a stream failing mid-way fails the commit",
  );
  t.equal((await readAccessLog(accessLog)).length, beforeBroken, "nothing was sent: no half-committed state");

  const regularCopy = await createCommit({
    ...hub,
    repoId: "user/ops",
    commitMessage: "copy regular",
    operations: [new CommitOperationCopy({ srcPathInRepo: "new/regular.txt", pathInRepo: "r2.txt" })],
  }).catch((e: unknown) => e);
  t.equal((regularCopy as HubpushError).code, "ERR_USAGE", "a regular-file copy is refused with a hint");
});
