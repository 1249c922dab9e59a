import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { watch } from "chokidar";
import pino from "pino";
import t from "tap";
import { FolderWatchers } from "../../daemon/folder-watchers.js";
import { Housekeeping } from "../../daemon/housekeeping.js";
import { startHarness } from "../helpers/engine-harness.js";
import { waitFor } from "./fixtures/daemon-home.js";

const silent = pino({ level: "silent" });
const WATCH = { watchStableMs: 200, watchDebounceMs: 100 };

t.test("folder events trigger a rescan; the state directory inside the folder is not watched", async (t) => {
  const h = await startHarness({ tuning: WATCH });
  t.teardown(() => h.close());
  writeFileSync(path.join(h.folder, "a.txt"), "a");
  const job = h.add("user/events", { watch: true, every: 0.01 });
  const stateDir = path.join(h.folder, ".hubpush-state");
  const watchers = new FolderWatchers({
    engine: h.engine,
    logger: silent,
    excludeAbsolute: [stateDir],
    debounceMs: 100,
  });
  t.teardown(() => watchers.closeAll());
  watchers.sync(h.journal.jobs.list());
  await waitFor("the watcher to be ready", () =>
    watchers.status(job.id)?.mode === "events" ? true : undefined,
  );
  await waitFor("a.txt committed", () =>
    h.engine.progress(job.id).byState.committed.files === 1 ? true : undefined,
  );
  const generation = h.journal.jobs.get(job.id)?.scanGeneration ?? 0;

  writeFileSync(path.join(h.folder, "b.txt"), "b");
  await waitFor("b.txt committed", () =>
    h.engine.progress(job.id).byState.committed.files === 2 ? true : undefined,
  );
  t.ok((h.journal.jobs.get(job.id)?.scanGeneration ?? 0) > generation, "an event-driven rescan found b.txt");
  t.not(watchers.status(job.id)?.lastEventAt, null, "the event is recorded");

  // Writes in an excluded path (the daemon's own journal, when it lives inside the folder) wake nothing.
  mkdirSync(stateDir);
  const quietSince = h.journal.jobs.get(job.id)?.scanGeneration ?? 0;
  const eventsBefore = watchers.status(job.id)?.lastEventAt;
  for (let i = 0; i < 5; i++) writeFileSync(path.join(stateDir, "journal.sqlite-wal"), `write ${i}`);
  await new Promise((r) => setTimeout(r, 800));
  t.equal(watchers.status(job.id)?.lastEventAt, eventsBefore, "no event from the excluded state directory");
  t.ok((h.journal.jobs.get(job.id)?.scanGeneration ?? 0) <= quietSince + 1, "no rescan storm");

  h.engine.pause(job.id);
  watchers.sync(h.journal.jobs.list());
  t.equal(watchers.status(job.id), null, "a paused job's watcher is closed");
});

t.test("a file written after the job's scan but before its watcher was ready is found", async (t) => {
  const h = await startHarness({ tuning: WATCH });
  t.teardown(() => h.close());
  writeFileSync(path.join(h.folder, "a.txt"), "a");
  const job = h.add("user/early", { watch: true, every: 0.01 });
  await waitFor("a.txt committed", () =>
    h.engine.progress(job.id).byState.committed.files === 1 ? true : undefined,
  );
  // No watcher yet (the daemon starts them on its next tick): this write raises no event.
  writeFileSync(path.join(h.folder, "early.txt"), "early");
  const watchers = new FolderWatchers({
    engine: h.engine,
    logger: silent,
    excludeAbsolute: [],
    debounceMs: 100,
  });
  t.teardown(() => watchers.closeAll());
  watchers.sync(h.journal.jobs.list());
  await waitFor("early.txt committed", () =>
    h.engine.progress(job.id).byState.committed.files === 2 ? true : undefined,
  );
  t.equal(
    watchers.status(job.id)?.lastEventAt,
    null,
    "found by the rescan the watcher runs once ready, not by an event",
  );
});

t.test(
  "a watcher failing with ENOSPC falls back to rescans every --every minutes, with a warning",
  async (t) => {
    const h = await startHarness({ tuning: WATCH });
    t.teardown(() => h.close());
    writeFileSync(path.join(h.folder, "a.txt"), "a");
    // --every 0.01 min = 600 ms between polling rescans.
    const job = h.add("user/polling", { watch: true, every: 0.01 });
    let failWatcher: ((err: Error) => void) | null = null;
    const watchers = new FolderWatchers({
      engine: h.engine,
      logger: silent,
      excludeAbsolute: [],
      debounceMs: 100,
      // The real chokidar watcher, made to report what the kernel says when inotify watches run out.
      watch: (paths, options) => {
        const watcher = watch(paths, options);
        failWatcher = (err) => watcher.emit("error", err);
        return watcher;
      },
    });
    t.teardown(() => watchers.closeAll());
    watchers.sync(h.journal.jobs.list());
    await waitFor("the watcher to be ready", () =>
      watchers.status(job.id)?.mode === "events" ? true : undefined,
    );
    await waitFor("a.txt committed", () =>
      h.engine.progress(job.id).byState.committed.files === 1 ? true : undefined,
    );

    const enospc = Object.assign(new Error("ENOSPC: System limit for number of file watchers reached"), {
      code: "ENOSPC",
    });
    t.ok(failWatcher !== null, "the watcher was created through the wrapper");
    (failWatcher as unknown as (err: Error) => void)(enospc);
    const status = watchers.status(job.id);
    t.equal(status?.mode, "polling", "events are given up");
    t.match(
      status?.warning,
      /inotify watch limit .*ENOSPC.*max_user_watches/,
      "the warning says why and what to do",
    );

    // With the watcher gone, only the housekeeping's polling rescans can find a new file.
    const housekeeping = new Housekeeping({
      journal: h.journal,
      engine: h.engine,
      logger: silent,
      watchers,
      tickMs: 100,
    });
    housekeeping.start();
    t.teardown(() => housekeeping.stop());
    writeFileSync(path.join(h.folder, "b.txt"), "b");
    await waitFor("b.txt committed by a polling rescan", () =>
      h.engine.progress(job.id).byState.committed.files === 2 ? true : undefined,
    );
    t.equal(watchers.status(job.id)?.mode, "polling", "still polling");
  },
);
