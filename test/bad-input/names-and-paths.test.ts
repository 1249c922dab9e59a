import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import t from "tap";
import { startHarness, WRITE_TOKEN } from "../helpers/engine-harness.js";
import { writeTree } from "../helpers/folder-tree.js";
import { downloadRemoteFile } from "../helpers/remote-repo.js";
import { committedPaths, skippedEvents, statesOf } from "./harness-probes.js";
import { startUploadEnv, WRITE } from "./upload-env.js";

// File names the Hub cannot hold and prefixes that would leave the repo: refused by name, the rest
// of the folder still goes up.

/** Writes a file (or a folder holding one) whose name has bytes that are not UTF-8. */
function writeNonUtf8(folder: string): void {
  const bad = Buffer.from([0x62, 0x61, 0x64, 0x2d, 0xff, 0xfe]); // "bad-" + two invalid bytes
  writeFileSync(Buffer.concat([Buffer.from(`${folder}/`), bad, Buffer.from(".txt")]), "latin-1 name");
  const dir = Buffer.concat([Buffer.from(`${folder}/`), bad, Buffer.from("-dir")]);
  mkdirSync(dir);
  writeFileSync(Buffer.concat([dir, Buffer.from("/inner.txt")]), "under a latin-1 folder");
}

t.test(
  "names with a newline or a tab: refused by name (ERR_PATH_INVALID) before the Hub is asked",
  async (t) => {
    const h = await startHarness();
    t.teardown(() => h.close());
    writeTree(h.folder, {
      "ok.txt": "ok",
      "new\nline.txt": "nl",
      "tab\there.bin": "tab",
      "sub/ok2.txt": "ok2",
    });
    const job = h.add("user/newline");
    t.equal((await h.engine.whenSettled(job.id)).state, "done");
    for (const name of ["new\nline.txt", "tab\there.bin"]) {
      const file = h.journal.files.find(job.id, name);
      t.equal(file?.state, "failed", JSON.stringify(name));
      t.equal(file?.lastError?.code, "ERR_PATH_INVALID");
      t.match(file?.lastError?.message, JSON.stringify(name), "naming it, escaped");
      t.match(file?.lastError?.message, "rename it or leave it out with --exclude");
    }
    t.same(await committedPaths(h, "user/newline"), ["ok.txt", "sub/ok2.txt"], "the others are committed");
    t.same(
      h.requests().filter((r) => r.status >= 400),
      [],
      "no request the Hub refuses: the batch of the others is not held up",
    );
  },
);

t.test("names that are not UTF-8: nothing mangled is uploaded, the others are committed", async (t) => {
  const h = await startHarness();
  t.teardown(() => h.close());
  writeTree(h.folder, { "ok.txt": "ok" });
  writeNonUtf8(h.folder);
  const job = h.add("user/latin1");
  t.equal((await h.engine.whenSettled(job.id)).state, "done");
  t.same(await committedPaths(h, "user/latin1"), ["ok.txt"], "no path with U+FFFD reached the Hub");
  t.notOk(
    Object.values(statesOf(h, job.id)).includes("failed"),
    "and the journal claims nothing about them it cannot keep",
  );
});

t.test("names that are not UTF-8 are reported (file and folder), not silently dropped", async (t) => {
  const h = await startHarness();
  t.teardown(() => h.close());
  writeTree(h.folder, { "ok.txt": "ok" });
  writeNonUtf8(h.folder);
  const job = h.add("user/latin1-reported");
  t.equal((await h.engine.whenSettled(job.id)).state, "done");
  const skipped = [...skippedEvents(h, job.id).values()];
  t.equal(skipped.length, 2, "the file and the folder are both reported");
  t.ok(
    skipped.length > 0 && skipped.every((s) => s.code === "ERR_PATH_INVALID" && /UTF-8/.test(s.reason)),
    "as paths the Hub cannot hold, saying why",
  );
});

t.test("names at the filesystem's limit (255 bytes, multi-byte) in a 1 KiB path go up intact", async (t) => {
  const h = await startHarness();
  t.teardown(() => h.close());
  const name = "é".repeat(125); // 250 bytes: with ".txt", 254, one short of the 255-byte limit
  const rel = [name, name, name, name, `${name}.txt`].join("/");
  t.ok(Buffer.byteLength(rel) > 1024, "the repo path is over 1 KiB");
  writeTree(h.folder, { [rel]: "deep", "ok.txt": "ok" });
  const job = h.add("user/long-names");
  t.equal((await h.engine.whenSettled(job.id)).state, "done");
  t.same(await committedPaths(h, "user/long-names"), [rel, "ok.txt"].sort());
  const back = await downloadRemoteFile(
    { endpoint: h.emulator.url, id: "user/long-names", token: WRITE_TOKEN },
    rel,
  );
  t.equal(back.toString(), "deep");
});

t.test("--path-in-repo that leaves the repo: exit 3, nothing recorded or sent", async (t) => {
  const u = await startUploadEnv();
  t.teardown(() => u.close());
  const folder = u.folder("data");
  writeTree(folder, { "a.txt": "a" });
  const cases: Array<[string, RegExp]> = [
    ["../up", /--path-in-repo "\.\.\/up" contains "\.\.": give a plain folder path/],
    ["a/../../b", /--path-in-repo "a\/\.\.\/\.\.\/b" contains "\.\."/],
    ["/abs/dir", /--path-in-repo "\/abs\/dir" is absolute: give a path relative to the repo root/],
    ["x/.git/y", /--path-in-repo "x\/\.git\/y" contains "\.git"/],
    ["runs\n42", /--path-in-repo "runs\\n42" has a control character \(newline, tab, …\)/],
  ];
  for (const [prefix, message] of cases) {
    const env = u.env({ HF_TOKEN: WRITE });
    const result = await u.upload(folder, "user/prefix", env, "--path-in-repo", prefix);
    t.equal(result.code, 3, prefix);
    t.match(result.stderr, message, prefix);
    t.match(result.stderr, /\(ERR_PATH_IN_REPO_INVALID\)\n$/, prefix);
    t.notOk(
      existsSync(path.join(String(env.HUBPUSH_HOME), "journal.sqlite")),
      `${prefix}: no journal written`,
    );
  }
  await t.rejects(u.remotePaths("user/prefix"), /404/, "the repo was never created");
});
