import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import t from "tap";
import { startEmulator } from "../../emulator/start-emulator.js";
import { HubpushError, uploadFile } from "../../lib/index.js";
import { downloadRepo } from "./fixtures/hub-download.js";
import { shortHome } from "./fixtures/short-home.js";

const TOKEN = "hf_emulator_default";

t.test("uploadFile: a path, a Buffer and a stream, each downloaded back byte-identical", async (t) => {
  const emulator = await startEmulator({ lfsThresholdBytes: 1024 });
  t.teardown(() => emulator.close());
  const home = shortHome(t);
  const dir = t.testdir();
  const local = path.join(dir, "weights.bin");
  const onDisk = randomBytes(300_000);
  writeFileSync(local, onDisk);
  const inMemory = Buffer.from("in memory\n");
  const streamed = randomBytes(70_000);
  const common = { repoId: "user/lib-file", token: TOKEN, endpoint: emulator.url, hubpushHome: home };

  const a = await uploadFile({ ...common, pathOrFileobj: local });
  t.equal(a.commits.length, 1);
  const b = await uploadFile({ ...common, pathOrFileobj: inMemory, pathInRepo: "notes/readme.txt" });
  t.equal(b.commits.length, 1);
  const c = await uploadFile({
    ...common,
    pathOrFileobj: Readable.from([streamed.subarray(0, 1000), streamed.subarray(1000)]),
    pathInRepo: "deep/er/stream.bin",
    commitMessage: "a stream",
  });
  t.equal(c.commits.length, 1);
  t.not(a.commits[0]?.oid, c.commits[0]?.oid, "three commits");

  const remote = await downloadRepo(emulator.url, TOKEN, "user/lib-file");
  t.ok(remote.get("weights.bin")?.equals(onDisk), "path: identical");
  t.ok(remote.get("notes/readme.txt")?.equals(inMemory), "Buffer: identical");
  t.ok(remote.get("deep/er/stream.bin")?.equals(streamed), "stream: identical");
  t.same(readdirSync(path.join(home, "spool")), [], "spool folders are removed once committed");
});

t.test("a stream that errors mid-way fails cleanly: no commit, nothing half-spooled", async (t) => {
  const emulator = await startEmulator();
  t.teardown(() => emulator.close());
  const home = shortHome(t);
  async function* broken(): AsyncGenerator<Uint8Array> {
    yield Buffer.from("first part");
    throw new Error("disk went away");
  }
  const err = await uploadFile({
    pathOrFileobj: broken(),
    pathInRepo: "x.txt",
    repoId: "user/lib-broken",
    token: TOKEN,
    endpoint: emulator.url,
    hubpushHome: home,
  }).catch((e: unknown) => e);
  t.ok(err instanceof HubpushError);
  t.equal((err as HubpushError).code, "ERR_FILE_UNREADABLE");
  t.match((err as HubpushError).message, /disk went away/);
  const res = await fetch(`${emulator.url}/api/models/user/lib-broken`, {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  t.equal(res.status, 404, "nothing reached the Hub (the repo was not even created)");
  const spool = path.join(home, "spool");
  const leftovers = existsSync(spool)
    ? readdirSync(spool).flatMap((d) => readdirSync(path.join(spool, d)))
    : [];
  t.same(leftovers, [], "no partial spool file");
});

t.test("bad pathOrFileobj and missing pathInRepo are ERR_USAGE naming the option", async (t) => {
  for (const [options, name] of [
    [{ pathOrFileobj: 42, repoId: "a/b" }, "pathOrFileobj"],
    [{ pathOrFileobj: Buffer.from("x"), repoId: "a/b" }, "pathInRepo"],
  ] as const) {
    const err = await uploadFile(options as never).catch((e: unknown) => e);
    t.equal((err as HubpushError).code, "ERR_USAGE");
    t.match((err as HubpushError).message, `\`${name}\``);
  }
});
