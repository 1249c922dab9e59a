import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import t from "tap";
import { startEmulator } from "../../emulator/start-emulator.js";
import { startHarness, WRITE_TOKEN } from "../helpers/engine-harness.js";
import { writeTree } from "../helpers/folder-tree.js";
import { listRemoteCommits } from "../helpers/remote-repo.js";
import { spawnCli } from "../helpers/run-cli.js";
import { committedPaths, statesOf, until } from "./harness-probes.js";
import { startUploadEnv, WRITE } from "./upload-env.js";

// The Hub out of reach, and the Hub's limits: waits are shown and end by themselves when the Hub
// comes back; limits refuse one file by name, or warn, and the rest goes on.

/** A loopback port nothing listens on (taken, then released). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

t.test(
  "the endpoint unreachable at start: upload waits, shows ERR_HUB_NETWORK, finishes once it is up",
  async (t) => {
    const u = await startUploadEnv();
    t.teardown(() => u.close());
    const folder = u.folder("data");
    writeTree(folder, { "a.txt": "a", "b/c.txt": "c" });
    const port = await freePort();
    const child = spawnCli(
      [
        "upload",
        folder,
        "--repo",
        "user/late",
        "--endpoint",
        `http://127.0.0.1:${port}`,
        "--progress-interval",
        "100",
      ],
      { env: u.env({ HF_TOKEN: WRITE }) },
    );
    let stdout = "";
    let stderr = "";
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    t.teardown(() => child.kill("SIGKILL"));
    await until("the network error to be shown", () => /last error: .*\(ERR_HUB_NETWORK\)/.test(stdout));
    t.match(
      stdout,
      new RegExp(`last error: .*127\\.0\\.0\\.1:${port}.*\\(ERR_HUB_NETWORK\\)`),
      "naming the endpoint",
    );
    t.equal(child.exitCode, null, "it keeps waiting: a network error is transient");
    const late = await startEmulator({ port, tokens: [`${WRITE}:write:user`] });
    t.teardown(() => late.close());
    t.equal(await exited, 0, stderr);
    t.match(stdout, "committed 2 files");
    const commits = await listRemoteCommits({ endpoint: late.url, id: "user/late", token: WRITE });
    t.equal(commits.length, 2, "the Hub's initial commit and one upload commit");
  },
);

t.test(
  "the endpoint down for a long stretch mid-upload: retried until it is back, nothing twice",
  async (t) => {
    const h = await startHarness({ tuning: { commitSizes: [5], initialCommitSizeIndex: 0 } });
    t.teardown(() => h.close());
    const files: Record<string, string | Buffer> = {};
    for (let i = 0; i < 30; i++) files[`small/f-${i}.txt`] = `file ${i}`;
    for (let i = 0; i < 3; i++) files[`w${i}.bin`] = randomBytes(128 * 1024);
    writeTree(h.folder, files);
    // Only the first commit gets through, so work is surely left when the Hub goes away.
    h.emulator.setFaults("route=commit,kind=status,status=503,after=1");
    const job = h.add("user/outage");
    await until("a first commit", () => (h.journal.jobs.get(job.id)?.commitsMade ?? 0) >= 1);
    const { port, dataDir } = h.emulator;
    await h.emulator.close();
    // Several rounds of backoff (20…400 ms here) against a refused connection, each one recorded.
    const seen = new Set<number>();
    await until("several failed rounds", () => {
      const error = h.journal.jobs.get(job.id)?.lastError;
      if (error?.code === "ERR_HUB_NETWORK") seen.add(error.at);
      return seen.size >= 5;
    });
    t.match(
      h.journal.jobs.get(job.id)?.lastError?.message,
      /failed on the network .*It will be retried; check the connection/,
    );
    t.equal(h.journal.jobs.get(job.id)?.state, "active", "the job is waiting, not blocked");
    t.equal(h.journal.jobs.get(job.id)?.lastError?.code, "ERR_HUB_NETWORK");
    t.equal(h.journal.files.list(job.id, { state: "failed" }).length, 0, "nothing failed for good");
    const back = await startEmulator({ port, dataDir, tokens: [`${WRITE_TOKEN}:write:user`] });
    t.teardown(() => back.close());
    t.equal((await h.engine.whenSettled(job.id)).state, "done");
    t.equal(h.journal.jobs.counts(job.id).byState.committed.files, 33);
    // Same port, same data dir: the old URL reaches the restarted Hub.
    t.equal((await committedPaths(h, "user/outage")).length, 33, "every file is on the Hub");
    const commits = await listRemoteCommits({ endpoint: back.url, id: "user/outage", token: WRITE_TOKEN });
    t.equal(
      commits.length - 1,
      h.journal.jobs.get(job.id)?.commitsMade,
      "every commit once: none sent twice",
    );
  },
);

t.test(
  "a file over the size limit: failed with ERR_FILE_TOO_LARGE before any upload, the rest committed",
  async (t) => {
    const h = await startHarness({ tuning: { maxFileBytes: 100 * 1024 } });
    t.teardown(() => h.close());
    writeTree(h.folder, {
      "ok.txt": "ok",
      "fits.bin": randomBytes(50 * 1024),
      "huge.bin": randomBytes(200 * 1024),
    });
    const job = h.add("user/too-large");
    t.equal((await h.engine.whenSettled(job.id)).state, "done");
    const huge = h.journal.files.find(job.id, "huge.bin");
    t.equal(huge?.state, "failed");
    t.equal(huge?.lastError?.code, "ERR_FILE_TOO_LARGE");
    t.match(huge?.lastError?.message, "huge.bin is 204800 bytes, over the 102400-byte limit per file");
    t.match(huge?.lastError?.message, "split it or leave it out with --exclude");
    t.match(statesOf(h, job.id), { "ok.txt": "committed", "fits.bin": "committed" });
    t.same(await committedPaths(h, "user/too-large"), ["fits.bin", "ok.txt"]);
    // One upload: an LFS PUT, or one Xet shard (the emulator offers Xet; --transfer auto takes it).
    const uploads = h.requests().filter((r) => r.route === "lfs-put" || r.route === "xet-shard");
    t.equal(uploads.length, 1, "only the file that fits was sent");
    t.equal(h.journal.files.find(job.id, "huge.bin")?.sha256 ?? null, null, "it was not even hashed");
  },
);

t.test(
  "more than 10,000 entries in one folder: scanned in full, and a warning names the folder",
  async (t) => {
    const h = await startHarness();
    t.teardown(() => h.close());
    // 10,001 files: on tmpfs when there is one (creating them on a loaded disk takes seconds more).
    const base = existsSync("/dev/shm") ? mkdtempSync("/dev/shm/hp-crowded-") : h.folder;
    t.teardown(() => rmSync(base, { recursive: true, force: true }));
    const crowded = path.join(base, "crowded");
    mkdirSync(crowded);
    for (let i = 0; i <= 10_000; i++) writeFileSync(path.join(crowded, `${i}.txt`), "");
    const job = h.add("user/crowded", { folder: base });
    await until("the scan to finish", () =>
      h.journal.events.read(0, 100).some((e) => e.jobId === job.id && e.type === "scan.finished"),
    );
    h.engine.cancel(job.id);
    const events = h.journal.events.read(0, 1_000).filter((e) => e.jobId === job.id);
    const finished = events.find((e) => e.type === "scan.finished");
    t.match(finished?.data, { added: 10_001 }, "every file is scanned");
    const warning = events.find((e) => /warn/i.test(e.type) || "warning" in (e.data as object));
    t.ok(warning, "a warning event is recorded");
    t.match(JSON.stringify(warning?.data ?? {}), /crowded/, "naming the folder");
  },
);
