import { randomBytes } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { createRepo, uploadFiles } from "@huggingface/hub";
import t from "tap";
import { HashPool } from "../../../core/hash/hash-pool.js";
import { UndiciHubClient } from "../../../core/hub/undici-hub-client.js";
import { runVerify, type VerifyOptions } from "../../../core/verify/run-verify.js";
import { startEmulator } from "../../../emulator/start-emulator.js";
import { writeTree } from "../../helpers/folder-tree.js";

// In process (the CLI tests run it in child processes): the folder, the real emulator with small
// tree pages, the real hashing pool; the journal side is a plain lookup here.
const TOKEN = "hf_core_verify";
const emulator = await startEmulator({
  tokens: [`${TOKEN}:write:user`],
  lfsThresholdBytes: 4096,
  pageSize: 3,
});
t.teardown(() => emulator.close());
const hub = new UndiciHubClient({ endpoint: emulator.url, token: async () => TOKEN });
t.teardown(() => hub.close());
const pool = new HashPool({ workers: 2 });
t.teardown(() => pool.close());

const base = (given: string, extra: Partial<VerifyOptions> = {}): VerifyOptions => ({
  given,
  hub,
  repo: { type: "model", id: "user/core-verify" },
  revision: "main",
  pathInRepo: "p",
  include: [],
  exclude: [],
  excludeAbsolute: [],
  lookup: () => null,
  pool,
  ...extra,
});

t.test("identical, different, missing and only-remote, through paginated listings", async (t) => {
  const folder = t.testdir();
  const files: Record<string, string | Buffer> = {
    "a.txt": "A\n",
    "w/big.bin": randomBytes(9000),
    "x.txt": "X\n",
  };
  for (let i = 0; i < 8; i++) files[`d/f${i}.txt`] = `f${i}\n`;
  writeTree(folder, files);
  const repoHub = { hubUrl: emulator.url, accessToken: TOKEN, repo: "user/core-verify" };
  await createRepo(repoHub);
  await uploadFiles({
    ...repoHub,
    useXet: false,
    files: [
      ...Object.entries(files)
        .filter(([p]) => p !== "x.txt")
        .map(([p, c]) => ({
          path: `p/${p}`,
          content: new Blob([p === "a.txt" ? "changed\n" : c]),
        })),
      { path: "p/remote-only.txt", content: new Blob(["r\n"]) },
      { path: "outside.txt", content: new Blob(["o\n"]) },
    ],
  });
  let progress = 0;
  const result = await runVerify(base(folder, { onProgress: (done) => (progress = done) }));
  t.same(
    result.different.map((d) => d.path),
    ["p/a.txt"],
  );
  t.same(result.missingRemotely, ["p/x.txt"]);
  t.same(result.onlyRemote, ["p/remote-only.txt"]);
  t.equal(result.identical.length, 9, "8 small files and the LFS one");
  t.equal(result.ok, false);
  t.equal(result.summary.bytesHashed, 9000 + 2 + 2 + 8 * 3);
  t.equal(progress, result.summary.bytesHashed, "progress reached every byte read");

  // The journal answers for a.txt (same stat): not read again.
  const st = statSync(path.join(folder, "a.txt"), { bigint: true });
  const cached = {
    size: 2,
    mtimeNs: st.mtimeNs.toString(),
    ctimeNs: st.ctimeNs.toString(),
    inode: st.ino.toString(),
    sha256: "0".repeat(64),
    sha1: "0".repeat(40),
    sample: "",
  };
  const withJournal = await runVerify(
    base(folder, { lookup: () => ({ get: (p: string) => (p === "a.txt" ? cached : null) }) }),
  );
  t.equal(withJournal.summary.filesFromJournal, 1);
  t.equal(withJournal.summary.bytesHashed, result.summary.bytesHashed - 2);

  const filtered = await runVerify(base(folder, { exclude: ["x.txt", "remote-only.txt", "a.txt"] }));
  t.equal(filtered.ok, true, "the filters apply on both sides");

  const one = await runVerify(base(path.join(folder, "w/big.bin"), { pathInRepo: "p/w/big.bin" }));
  t.same([one.ok, one.identical], [true, ["p/w/big.bin"]]);
  t.ok(readFileSync(path.join(folder, "a.txt")).equals(Buffer.from("A\n")), "local files untouched");
});

t.test("a missing repo or branch is refused by code", async (t) => {
  const folder = t.testdir({ "a.txt": "A" });
  await t.rejects(runVerify(base(folder, { repo: { type: "model", id: "user/nope" } })), {
    code: "ERR_HUB_REPO_NOT_FOUND",
  });
  await t.rejects(runVerify(base(folder, { revision: "nope" })), { code: "ERR_HUB_REVISION_NOT_FOUND" });
  await t.rejects(runVerify(base(path.join(folder, "missing"))), { code: "ERR_FOLDER_NOT_FOUND" });
});
