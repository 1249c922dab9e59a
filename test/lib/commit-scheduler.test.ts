import { appendFileSync, readFileSync } from "node:fs";
import path from "node:path";
import { downloadFile, listCommits } from "@huggingface/hub";
import t from "tap";
import { startEmulator } from "../../emulator/start-emulator.js";
import { CommitScheduler, type UploadResult } from "../../lib/index.js";
import { shortHome } from "./fixtures/short-home.js";

const TOKEN = "hf_emulator_default";

async function commitsOf(url: string, repo: { type: "dataset"; name: string }): Promise<string[]> {
  const out: string[] = [];
  for await (const c of listCommits({ repo, hubUrl: url, accessToken: TOKEN })) out.push(c.oid);
  return out;
}

t.test(
  "CommitScheduler: a writer appends during pushes; no empty commit, no partial line, stop() flushes",
  async (t) => {
    const emulator = await startEmulator();
    t.teardown(() => emulator.close());
    const home = shortHome(t);
    const folder = t.testdir({ "logs.jsonl": "" });
    const file = path.join(folder, "logs.jsonl");
    const pushes: Array<UploadResult | null> = [];
    class CountingScheduler extends CommitScheduler {
      override async pushToHub(): Promise<UploadResult | null> {
        const result = await super.pushToHub();
        pushes.push(result);
        return result;
      }
    }
    const scheduler = new CountingScheduler({
      folderPath: folder,
      repoId: "user/sched",
      repoType: "dataset",
      pathInRepo: "run",
      every: 0.01, // 600 ms
      token: TOKEN,
      endpoint: emulator.url,
      hubpushHome: home,
    });
    // The writer appends JSON lines in two writes each, under the lock: a push must never see half.
    let written = 0;
    const started = Date.now();
    while (pushes.filter((p) => p !== null).length < 3 && Date.now() - started < 60_000) {
      await scheduler.withLock(async () => {
        appendFileSync(file, `{"step":${written},`);
        await new Promise((r) => setTimeout(r, 15)); // a push running now would see half a line
        appendFileSync(file, `"loss":${1 / (written + 1)}}\n`);
        written += 1;
      });
      await new Promise((r) => setTimeout(r, 10));
    }
    t.ok(pushes.filter((p) => p !== null).length >= 3, "several scheduled pushes committed");
    await scheduler.withLock(() => appendFileSync(file, '{"last":true}\n'));
    const flushed = await scheduler.stop();
    t.not(flushed, null, "stop() pushed the last line");

    const idle = await new CommitScheduler({
      folderPath: folder,
      repoId: "user/sched",
      repoType: "dataset",
      pathInRepo: "run",
      every: 60,
      token: TOKEN,
      endpoint: emulator.url,
      hubpushHome: home,
    }).stop();
    t.equal(idle, null, "nothing changed: the push makes no commit");

    const repo = { type: "dataset" as const, name: "user/sched" };
    const oids = await commitsOf(emulator.url, repo);
    const made = pushes.filter((p) => p !== null).length;
    t.equal(oids.length, made + 1, "one commit per push that had changes, plus the repo's initial commit");
    let previous = "";
    for (const oid of oids.slice(0, -1)) {
      const blob = await downloadFile({
        repo,
        path: "run/logs.jsonl",
        revision: oid,
        hubUrl: emulator.url,
        accessToken: TOKEN,
      });
      const text = (await blob?.text()) ?? "";
      t.ok(text.endsWith("\n"), `commit ${oid.slice(0, 7)}: no partial line`);
      for (const line of text.split("\n").filter((l) => l !== "")) JSON.parse(line);
      t.not(text, previous, `commit ${oid.slice(0, 7)} changed the file (no empty commit)`);
      previous = text;
    }
    const latest = await downloadFile({
      repo,
      path: "run/logs.jsonl",
      hubUrl: emulator.url,
      accessToken: TOKEN,
    });
    t.equal(await latest?.text(), readFileSync(file, "utf8"), "stop() flushed everything");
  },
);
