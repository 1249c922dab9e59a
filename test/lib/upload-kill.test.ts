import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import t from "tap";
import { startEmulator } from "../../emulator/start-emulator.js";
import { uploadLargeFolder } from "../../lib/index.js";
import { openJournal } from "../../storage/sqlite-journal.js";
import { readAccessLog } from "../emulator/fixtures/read-access-log.js";
import { readTree, writeTree } from "../helpers/folder-tree.js";
import { downloadRepo } from "./fixtures/hub-download.js";
import { shortHome } from "./fixtures/short-home.js";

const TOKEN = "hf_emulator_default";
const CHILD = path.join(import.meta.dirname, "fixtures", "upload-child.ts");

function exited(child: ChildProcess): Promise<NodeJS.Signals | number | null> {
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve(signal ?? code)));
}

t.test(
  "uploadLargeFolder SIGKILLed after its first commit, called again: resumes, no file twice",
  async (t) => {
    const dir = t.testdir();
    const accessLog = path.join(dir, "access.log");
    // Every file is LFS and every PUT is slow: the run outlasts the first commit by seconds.
    const emulator = await startEmulator({
      lfsThresholdBytes: 100,
      accessLog,
      faults: "route=lfs-put,kind=latency,ms=15",
    });
    t.teardown(() => emulator.close());
    const home = shortHome(t);
    const folder = path.join(dir, "data");
    const files: Record<string, string> = {};
    for (let i = 0; i < 700; i++) files[`d/${String(i).padStart(3, "0")}.txt`] = `${"x".repeat(200)} ${i}\n`;
    writeTree(folder, files);

    const child = spawn(
      process.execPath,
      ["--import", "tsx", CHILD, folder, "user/kill", emulator.url, home],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    const exit = exited(child);
    let committed = 0;
    for (let i = 0; i < 600 && committed === 0; i++) {
      await delay(50);
      committed = (await readAccessLog(accessLog)).filter(
        (e) => e.route === "commit" && e.status === 200,
      ).length;
    }
    t.equal(committed, 1, "one commit landed before the kill");
    t.ok(child.kill("SIGKILL"), "the kill reached the child");
    t.equal(await exit, "SIGKILL", "the child died of SIGKILL, mid-upload");

    const result = await uploadLargeFolder({
      folderPath: folder,
      repoId: "user/kill",
      token: TOKEN,
      endpoint: emulator.url,
      hubpushHome: home,
      transfer: "lfs",
    });
    t.equal(result.counts.committed.files, 700, "the second call finished the job");

    const log = await readAccessLog(accessLog);
    const puts = new Map<string, number>();
    for (const e of log)
      if (e.route === "lfs-put" && e.status === 200 && e.oid) puts.set(e.oid, (puts.get(e.oid) ?? 0) + 1);
    t.same(
      [...puts].filter(([, n]) => n > 1),
      [],
      "no LFS object uploaded twice",
    );
    // A PUT cut by the kill may have stored its object without a logged 200 (the resume then finds
    // it on the Hub), so not every object shows a PUT; most must, or the uploads did not use LFS.
    t.ok(puts.size > 600, `the objects went through LFS (${puts.size} PUTs answered 200)`);
    const journal = openJournal(path.join(home, "journal.sqlite"));
    t.teardown(() => journal.close());
    const batches = journal.commits
      .list(result.jobId)
      .filter((c) => c.state === "committed" || c.state === "reconciled");
    t.equal(
      batches.reduce((sum, c) => sum + c.fileCount, 0),
      700,
      "each file belongs to exactly one landed commit batch",
    );
    const commitsOk = log.filter((e) => e.route === "commit" && e.status === 200).length;
    t.equal(commitsOk, batches.length, "every commit the Hub made is one journaled batch: none was re-sent");

    const remote = await downloadRepo(emulator.url, TOKEN, "user/kill");
    const local = readTree(folder);
    t.equal(remote.size - (remote.has(".gitattributes") ? 1 : 0), local.size);
    t.ok(
      [...local].every(([rel, bytes]) => remote.get(rel)?.equals(bytes)),
      "every file byte-identical",
    );
  },
);

t.test("abort via signal mid-upload, then a new call resumes", async (t) => {
  const dir = t.testdir();
  const accessLog = path.join(dir, "access.log");
  const emulator = await startEmulator({
    lfsThresholdBytes: 100,
    accessLog,
    faults: "route=lfs-put,kind=latency,ms=100",
  });
  t.teardown(() => emulator.close());
  const home = shortHome(t);
  const folder = path.join(dir, "data");
  const files: Record<string, string> = {};
  for (let i = 0; i < 120; i++) files[`${i}.txt`] = `${"y".repeat(300)} ${i}\n`;
  writeTree(folder, files);
  const options = {
    folderPath: folder,
    repoId: "user/abort",
    token: TOKEN,
    endpoint: emulator.url,
    hubpushHome: home,
    // The test counts LFS PUTs (the emulator's repos take Xet by default).
    transfer: "lfs" as const,
  };

  const controller = new AbortController();
  const err = await (await import("../../lib/index.js"))
    .uploadFolder({
      ...options,
      signal: controller.signal,
      onProgress: (s) => {
        if (s.files.uploaded.files + s.files.committed.files >= 20) controller.abort();
      },
    })
    .catch((e: unknown) => e);
  t.match(err, { code: "ERR_INTERRUPTED" }, "the call rejects with ERR_INTERRUPTED");
  const logBefore = (await readAccessLog(accessLog)).filter((e) => e.route === "lfs-put");
  const putsBefore = logBefore.filter((e) => e.status === 200);
  t.ok(
    putsBefore.length >= 20 && putsBefore.length < 120,
    `stopped mid-upload (${putsBefore.length} objects sent)`,
  );
  t.equal(
    (await readAccessLog(accessLog)).filter((e) => e.route === "commit").length,
    0,
    "no commit yet: uploadFolder commits once, at the end",
  );

  const { uploadFolder } = await import("../../lib/index.js");
  const result = await uploadFolder(options);
  t.equal(result.commits.length, 1, "one commit");
  t.equal(result.counts.committed.files, 120);
  // A PUT the abort cut may still have been stored by the emulator without a 200 reaching the log
  // (seen under load): the second call then finds that object on the Hub and sends it no more.
  const puts = (await readAccessLog(accessLog)).filter((e) => e.route === "lfs-put");
  const putsAfter = puts.slice(logBefore.length);
  const storedBefore = new Set(putsBefore.map((e) => e.oid));
  t.equal(new Set(puts.map((e) => e.oid)).size, 120, "every object was sent");
  t.ok(
    putsAfter.every((e) => e.status === 200 && !storedBefore.has(e.oid)),
    "the second call sent only objects the first had not stored: it resumed",
  );
  t.equal(
    new Set(putsAfter.map((e) => e.oid)).size,
    putsAfter.length,
    "no object sent twice by the second call",
  );
  const remote = await downloadRepo(emulator.url, TOKEN, "user/abort");
  t.ok(
    [...readTree(folder)].every(([rel, bytes]) => remote.get(rel)?.equals(bytes)),
    "byte-identical",
  );
});
