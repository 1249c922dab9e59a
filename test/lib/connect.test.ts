import { writeFileSync } from "node:fs";
import path from "node:path";
import t from "tap";
import { startEmulator } from "../../emulator/start-emulator.js";
import { connect, HubpushError, type JobEvent, uploadFolder } from "../../lib/index.js";
import { writeTree } from "../helpers/folder-tree.js";
import { downloadRepo } from "./fixtures/hub-download.js";
import { shortHome } from "./fixtures/short-home.js";

const TOKEN = "hf_emulator_default";

t.test(
  "connect({ start: true }): jobs run in the order added; done, events, pause/resume, cancel, retry",
  async (t) => {
    const emulator = await startEmulator({ lfsThresholdBytes: 1024 });
    t.teardown(() => emulator.close());
    const home = shortHome(t);
    const dir = t.testdir();

    const refused = await connect({ hubpushHome: home }).catch((e: unknown) => e);
    t.equal((refused as HubpushError).code, "ERR_DAEMON_NOT_RUNNING", "no daemon and start not asked");

    const tokenFile = path.join(dir, "token");
    writeFileSync(tokenFile, `${TOKEN}\n`);
    const daemon = await connect({ start: true, hubpushHome: home });
    t.teardown(async () => {
      await daemon.shutdown();
      await daemon.close();
    });
    const folders = [0, 1, 2].map((i) => {
      const folder = path.join(dir, `f${i}`);
      writeTree(folder, { [`file-${i}.txt`]: `content ${i}\n`, [`big-${i}.bin`]: Buffer.alloc(5000, i) });
      return folder;
    });
    const jobs = await Promise.all(
      folders.map((folderPath, i) =>
        daemon.add({ folderPath, repoId: `user/daemon-${i}`, endpoint: emulator.url, tokenFile }),
      ),
    );
    const events: JobEvent[] = [];
    for await (const e of jobs[0]?.events() ?? []) events.push(e);
    t.equal(events.at(-1)?.type, "job.done", "events() ends with job.done");
    t.ok(
      events.some((e) => e.type === "commit.committed"),
      "events() follows the commits",
    );
    const results = await Promise.all(jobs.map((j) => j.done));
    t.same(
      results.map((r) => r.commits.length),
      [1, 1, 1],
      "each job made its commit",
    );
    t.match(results[0]?.commits[0]?.url, `${emulator.url}/user/daemon-0/commit/`);
    // Order: each job was added to the daemon only after the one before it was done.
    const log = await Promise.all(jobs.map(async (j) => eventsOf(j)));
    for (let i = 1; i < log.length; i++) {
      const prevDone = log[i - 1]?.find((e) => e.type === "job.done")?.id ?? Number.POSITIVE_INFINITY;
      const firstOfNext = log[i]?.[0]?.id ?? 0;
      t.ok(firstOfNext > prevDone, `job ${i} started after job ${i - 1} was done`);
    }
    for (const [i, folder] of folders.entries()) {
      const remote = await downloadRepo(emulator.url, TOKEN, `user/daemon-${i}`);
      t.ok(remote.get(`file-${i}.txt`)?.equals(Buffer.from(`content ${i}\n`)), `job ${i} byte-identical`);
      t.ok(
        remote.get(`big-${i}.bin`)?.equals(Buffer.alloc(5000, i)),
        `job ${i} LFS byte-identical (${folder})`,
      );
    }

    // A job paused before its turn is added paused; resume lets it finish.
    const pausedFolder = path.join(dir, "paused");
    writeTree(pausedFolder, { "p.txt": "p\n" });
    const blocker = await daemon.add({
      folderPath: folders[0] as string,
      repoId: "user/daemon-0",
      endpoint: emulator.url,
      tokenFile,
    });
    const paused = await daemon.add({
      folderPath: pausedFolder,
      repoId: "user/daemon-p",
      endpoint: emulator.url,
      tokenFile,
    });
    await paused.pause();
    const cancelled = await daemon.add({
      folderPath: pausedFolder,
      repoId: "user/daemon-c",
      endpoint: emulator.url,
      tokenFile,
    });
    await cancelled.cancel();
    await blocker.done;
    await paused.started();
    t.equal((await paused.status())?.state, "paused", "added paused");
    await paused.resume();
    t.equal((await paused.done).commits.length, 1, "resumed and done");
    const cancelErr = await cancelled.done.catch((e: unknown) => e);
    t.equal((cancelErr as HubpushError).code, "ERR_JOB_STATE", "a job cancelled before its turn never runs");
    t.equal(cancelled.id, undefined);

    // A bad token blocks the job: done rejects; fixing the token file and retry() finishes it.
    const badToken = path.join(dir, "bad-token");
    writeFileSync(badToken, "hf_not_a_known_token\n");
    const blocked = await daemon.add({
      folderPath: pausedFolder,
      repoId: "user/daemon-b",
      endpoint: emulator.url,
      tokenFile: badToken,
    });
    const blockedErr = await blocked.done.catch((e: unknown) => e);
    t.ok(blockedErr instanceof HubpushError);
    t.equal((blockedErr as HubpushError).code, "ERR_JOB_BLOCKED");
    writeFileSync(badToken, `${TOKEN}\n`);
    await blocked.retry();
    let state = "";
    for (let i = 0; i < 200 && state !== "done"; i++) {
      await new Promise((r) => setTimeout(r, 100));
      state = (await blocked.status())?.state ?? "";
    }
    t.equal(state, "done", "retry() after fixing the token finishes the job");

    const busy = await uploadFolder({
      folderPath: pausedFolder,
      repoId: "user/x",
      hubpushHome: home,
      token: TOKEN,
      endpoint: emulator.url,
    }).catch((e: unknown) => e);
    t.equal(
      (busy as HubpushError).code,
      "ERR_DAEMON_RUNNING",
      "an in-process upload refuses a state directory a daemon drives",
    );

    const bad = await daemon.add({ folderPath: 7 as never, repoId: "user/x" }).catch((e: unknown) => e);
    t.equal((bad as HubpushError).code, "ERR_USAGE", "bad options reject add() at once");
  },
);

async function eventsOf(job: { events(): AsyncGenerator<JobEvent> }): Promise<JobEvent[]> {
  const out: JobEvent[] = [];
  for await (const e of job.events()) out.push(e);
  return out;
}
