import { writeFileSync } from "node:fs";
import path from "node:path";
import pino from "pino";
import t from "tap";
import { createEngine } from "../../core/create-engine.js";
import { parseJobInput } from "../../core/job-input.js";
import { silentLogger } from "../../core/logger.js";
import { Housekeeping } from "../../daemon/housekeeping.js";
import { startEmulator } from "../../emulator/start-emulator.js";
import { openJournal } from "../../storage/sqlite-journal.js";
import { writeTree } from "../helpers/folder-tree.js";
import { WRITE_TOKEN, waitFor } from "./fixtures/daemon-home.js";

t.test("watch jobs are rescanned when their interval has passed; old events are pruned", async (t) => {
  const dir = t.testdir();
  const emulator = await startEmulator({ tokens: [`${WRITE_TOKEN}:write:user`] });
  const journal = openJournal(path.join(dir, "state", "journal.sqlite"));
  const engine = createEngine({
    journal,
    tokenFor: async () => WRITE_TOKEN,
    logger: silentLogger,
    settings: { hashWorkers: 1 },
    tuning: { flushIntervalMs: 200, idlePollMs: 50, watchStableMs: 100 },
  });
  t.teardown(async () => {
    await engine.stop(1_000);
    journal.close();
    await emulator.close();
  });
  engine.start();
  const folder = path.join(dir, "data");
  writeTree(folder, { "a.txt": "a", "b.txt": "b" });
  const { spec, options } = parseJobInput(
    // --every 0.05: scheduled commits (engine clock) at most every 3 s; polling rescans every 3 s.
    { folder, repo: "user/watched", watch: true, every: 0.05 },
    { endpoint: emulator.url, cwd: dir },
  );
  const job = engine.addJob(spec, options);
  const committed = (n: number) => () =>
    engine.progress(job.id).byState.committed.files >= n ? true : undefined;
  await waitFor("the first two files to be committed", committed(2));
  const generation = journal.jobs.get(job.id)?.scanGeneration;

  // The housekeeping's clock starts just after the last scan, then jumps past the interval.
  let now = (journal.jobs.get(job.id)?.lastScanAt ?? Date.now()) + 1_000;
  const housekeeping = new Housekeeping({
    journal,
    engine,
    logger: pino({ level: "silent" }),
    keepEvents: 3,
    now: () => now,
  });
  writeFileSync(path.join(folder, "c.txt"), "c");
  housekeeping.tick();
  t.equal(journal.jobs.get(job.id)?.scanGeneration, generation, "no rescan before the interval is up");
  t.ok(journal.events.read(0, 1000).length <= 3, "events pruned down to the newest 3");

  now += 3_000;
  housekeeping.tick();
  await waitFor("the new file to be committed", committed(3));
  t.ok((journal.jobs.get(job.id)?.scanGeneration ?? 0) > (generation ?? 0), "a rescan ran");
  t.equal(journal.jobs.get(job.id)?.state, "active", "a watch job stays active");
});
