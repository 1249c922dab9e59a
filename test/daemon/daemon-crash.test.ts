import { existsSync, lstatSync } from "node:fs";
import path from "node:path";
import t from "tap";
import type { JobStatusJson } from "../../daemon/job-status-json.js";
import { startEmulator } from "../../emulator/start-emulator.js";
import type { EventRecord } from "../../storage/journal.js";
import { openJournal } from "../../storage/sqlite-journal.js";
import { writeTree } from "../helpers/folder-tree.js";
import { listRemoteFiles } from "../helpers/remote-repo.js";
import { makeDaemonHome, WRITE_TOKEN, waitFor, waitForJob } from "./fixtures/daemon-home.js";
import { startHoldProxy } from "./fixtures/hold-proxy.js";

t.test(
  "SIGKILL mid-job: the next daemon finishes the job without re-hashing, and events have no gap",
  async (t) => {
    // Plan requests hang at the "Hub", so the job is caught with every file hashed and nothing committed.
    const emulator = await startEmulator({ tokens: [`${WRITE_TOKEN}:write:user`] });
    const proxy = await startHoldProxy(emulator.url, (req) => req.url?.includes("/preupload/") === true);
    const h = makeDaemonHome();
    t.teardown(async () => {
      await h.cli(["daemon", "stop"]);
      await h.cleanup();
      await proxy.close();
      await emulator.close();
    });
    const folder = path.join(h.root, "data");
    const files: Record<string, string> = {};
    for (let i = 0; i < 30; i++) files[`part-${i}.txt`] = `content ${i}\n`.repeat(100 + i);
    writeTree(folder, files);
    const totalBytes = Object.values(files).reduce((sum, c) => sum + Buffer.byteLength(c), 0);

    const firstPid = await h.start({ HF_TOKEN: WRITE_TOKEN });
    const { job } = await h.client.request<{ job: JobStatusJson }>("POST", "/v1/jobs/add", {
      folder,
      repo: "user/crash",
      endpoint: proxy.url,
    });
    const hashed = await waitFor("every file to be hashed and a plan request to hang", async () => {
      const { job: j } = await h.client.request<{ job: JobStatusJson }>("GET", `/v1/jobs/get?id=${job.id}`);
      return j.bytesHashed === totalBytes && j.files.scanned.files === 0 && proxy.held > 0 ? j : undefined;
    });
    t.equal(hashed.files.committed.files, 0, "nothing committed before the crash");
    t.ok(proxy.held > 0, "a plan request is in flight");
    const before = await h.client.request<{ lastId: number }>("GET", "/v1/events/list?since=0&limit=1");

    process.kill(firstPid, "SIGKILL");
    await waitFor("the daemon to die", () => {
      try {
        process.kill(firstPid, 0);
        return undefined;
      } catch {
        return true;
      }
    });
    t.ok(existsSync(h.paths.lock), "a stale lock is left behind");
    t.ok(lstatSync(h.paths.socket).isSocket(), "and a stale socket file");

    proxy.release();
    const secondPid = await h.start({ HF_TOKEN: WRITE_TOKEN });
    t.not(secondPid, firstPid);
    const done = await waitForJob(h.client, job.id, ["done", "blocked"]);
    t.equal(done.state, "done", "the job resumed from the journal and finished");
    t.equal(done.files.committed.files, 30);
    t.equal(done.bytesHashed, totalBytes, "no byte was hashed twice");
    const remote = await listRemoteFiles({ endpoint: emulator.url, id: "user/crash", token: WRITE_TOKEN });
    t.equal([...remote.keys()].filter((p) => p.startsWith("part-")).length, 30);

    // Events are the journal's: ids continue across the crash, one after the other.
    const { events } = await h.client.request<{ events: EventRecord[] }>(
      "GET",
      "/v1/events/list?since=0&limit=10000",
    );
    const ids = events.map((e) => e.id);
    t.same(
      ids,
      Array.from({ length: ids.length }, (_, i) => (ids[0] ?? 0) + i),
      "consecutive ids, no gap",
    );
    t.equal(
      events.filter((e) => e.type === "daemon.started").length,
      2,
      "both daemons' start events are there",
    );
    t.ok(
      events.some((e) => e.id > before.lastId && e.type === "job.done"),
      "events after the crash continue past the last id seen before it",
    );
    const streamed: EventRecord[] = [];
    const abort = new AbortController();
    await h.client.streamEvents(
      before.lastId,
      (e) => {
        streamed.push(e);
        if (e.type === "job.done") abort.abort();
      },
      abort.signal,
    );
    t.equal(
      streamed[0]?.id,
      before.lastId + 1,
      "?since= resumes right after the last id seen before the crash",
    );

    t.equal((await h.cli(["daemon", "stop"])).code, 0);
    const journal = openJournal(h.paths.journal);
    t.teardown(() => journal.close());
    const records = journal.files.list(job.id);
    t.equal(records.length, 30);
    t.same(
      records.filter((f) => f.hashCount !== 1).map((f) => `${f.path}: ${f.hashCount}`),
      [],
      "every file was hashed exactly once",
    );
    t.same(journal.integrityCheck(), ["ok"]);
  },
);
