import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import t from "tap";
import { startEmulator } from "../../emulator/start-emulator.js";
import { openJournal } from "../../storage/sqlite-journal.js";
import { mixedFolder, prng, readTree } from "../helpers/folder-tree.js";
import { downloadRemoteFile, listRemoteFiles } from "../helpers/remote-repo.js";
import { runCli, spawnCli } from "../helpers/run-cli.js";

const MiB = 1024 * 1024;
const TOKEN = "hf_kill_write";
const SEEDS = (process.env.HUBPUSH_KILL_SEEDS ?? "1,2,3,4,5,6,7,8,9,10").split(",").map(Number);

interface AccessLine {
  route: string;
  status: number;
  oid: string | null;
  partNumber: number | null;
}

/**
 * `hubpush upload` is SIGKILLed at a random moment (the seed decides when), then run again: the
 * second run completes, the repo is identical, no file was hashed twice, and of the multipart
 * parts finished before the kill none is sent again (one part per file may have been in flight).
 */
t.test("hubpush upload survives SIGKILL at random moments", async (t) => {
  const root = mkdtempSync(path.join(tmpdir(), "hubpush-kill-"));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const accessLog = path.join(root, "access.log");
  const emulator = await startEmulator({
    tokens: [`${TOKEN}:write:user`],
    accessLog,
    multipartThresholdBytes: 2 * MiB,
    multipartChunkBytes: 256 * 1024,
    // Slow parts so that a run outlasts the latest kill (2.8 s) even on an idle machine (13 parts
    // per multipart file at 250 ms): the kills land in the middle of multipart uploads, and the
    // check below fails instead of passing quietly when a run finished first (at 40 ms it did).
    faults: "route=lfs-part,kind=latency,ms=250",
  });
  t.teardown(() => emulator.close());
  const tokenFile = path.join(root, "token");
  writeFileSync(tokenFile, `${TOKEN}\n`);

  for (const seed of SEEDS) {
    await t.test(`seed ${seed}`, async (t) => {
      const home = path.join(root, `home-${seed}`);
      mkdirSync(home, { recursive: true });
      // Fresh random content per seed, so no LFS object is already stored from another seed.
      const folder = path.join(root, `data-${seed}`);
      mixedFolder(folder, {
        small: 150,
        empty: 2,
        lfs: 2,
        lfsBytes: 200_000,
        multipart: 2,
        multipartBytes: 3 * MiB + 7,
      });
      const local = readTree(folder);
      const repoId = `user/kill-${seed}`;
      const args = [
        "upload",
        folder,
        "--repo",
        repoId,
        "--endpoint",
        emulator.url,
        "--token-file",
        tokenFile,
        // This test is about LFS multipart resume; Xet resume is test/integration/xet-kill.test.ts.
        "--transfer",
        "lfs",
      ];
      const env = { HUBPUSH_HOME: home, NO_COLOR: "1" };
      const delay = 300 + Math.floor(prng(seed)() * 2500);
      t.comment(`seed ${seed}: SIGKILL after ${delay} ms`);
      const child = spawnCli(args, { env });
      child.stdout?.resume();
      child.stderr?.resume();
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        child.on("exit", (code, signal) => resolve({ code, signal })),
      );
      const timer = setTimeout(() => child.kill("SIGKILL"), delay);
      const first = await exited;
      clearTimeout(timer);
      // A run that finished before the kill would make everything below pass without testing a crash.
      t.equal(first.signal, "SIGKILL", `the kill landed on a running upload (first exit: ${first.code})`);
      const second = await runCli(args, { env, timeoutMs: 180_000 });
      t.equal(second.code, 0, `the re-run completes after the kill\n${second.stderr}`);

      const repo = { endpoint: emulator.url, id: repoId, token: TOKEN };
      const remote = await listRemoteFiles(repo);
      t.same(
        [...local.keys()].filter((p) => remote.get(p)?.size !== local.get(p)?.length),
        [],
        "every file is in the repo with its size",
      );
      for (const rel of ["big/shard-0.bin", "big/shard-1.bin", "weights/w1.bin"]) {
        t.ok(
          (await downloadRemoteFile(repo, rel)).equals(local.get(rel) ?? Buffer.alloc(0)),
          `${rel} is identical`,
        );
      }
      const journal = openJournal(path.join(home, "journal.sqlite"));
      try {
        const job = journal.jobs.list()[0];
        t.ok(job, "the job is journaled");
        const rehashed = journal.files.list(job?.id ?? 0).filter((f) => f.hashCount > 1);
        t.same(
          rehashed.map((f) => f.path),
          [],
          "no file was hashed twice",
        );
        t.same(journal.integrityCheck(), ["ok"]);
      } finally {
        journal.close();
      }
    });
  }

  // Across all seeds: per object, successful PUTs of the same part beyond the first.
  const { readFileSync } = await import("node:fs");
  const lines = readFileSync(accessLog, "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as AccessLine);
  const perPart = new Map<string, number>();
  for (const l of lines) {
    if (l.route === "lfs-part" && l.status === 200) {
      const key = `${l.oid}#${l.partNumber}`;
      perPart.set(key, (perPart.get(key) ?? 0) + 1);
    }
  }
  const resentParts = [...perPart.values()].filter((n) => n > 1).length;
  // Each repo uploads the same two multipart objects; a kill may catch one part per file in flight.
  t.ok(resentParts <= SEEDS.length * 2, `parts sent twice: ${resentParts} (at most one per file per kill)`);
});
