import t from "tap";
import type { JobProgress } from "../../core/engine.js";
import { toJobStatusJson } from "../../daemon/job-status-json.js";
import { FILE_STATES, type FileState, type JobRecord } from "../../storage/journal.js";

const job: JobRecord = {
  id: 4,
  folder: "/data/set",
  endpoint: "http://127.0.0.1:9",
  repoType: "dataset",
  repoId: "alice/set",
  revision: "dev",
  pathInRepo: "sub",
  state: "blocked",
  options: {
    include: ["*.bin"],
    exclude: [],
    message: "Upload",
    visibility: "private",
    spaceSdk: null,
    tokenFile: "/home/alice/token",
    watch: false,
    everyMinutes: null,
    deleteRemote: true,
  },
  blocked: { code: "ERR_HUB_UNAUTHORIZED", message: "the Hub refused the token" },
  lastError: { code: "ERR_HUB_UNAUTHORIZED", message: "the Hub refused the token", at: Date.UTC(2025, 0, 2) },
  commitsMade: 2,
  bytesHashed: 1234,
  scanGeneration: 1,
  lastScanAt: Date.UTC(2025, 0, 1),
  createdAt: Date.UTC(2025, 0, 1),
  updatedAt: Date.UTC(2025, 0, 2),
  finishedAt: null,
  movedRepoId: null,
  kind: "folder",
};

const byState = Object.fromEntries(FILE_STATES.map((s, i) => [s, { files: i, bytes: i * 10 }])) as Record<
  FileState,
  { files: number; bytes: number }
>;

t.test("a JobProgress becomes the documented JSON, with ISO dates and no token", async (t) => {
  const progress: JobProgress = {
    job,
    byState,
    total: { files: 45, bytes: 450 },
    awaitingCommit: { files: 3, bytes: 30 },
    waiting: 1,
    uploadRate: 1000.4,
    hashRate: 2000.6,
    etaSeconds: 12.4,
    running: false,
    watch: null,
    failures: [{ path: "bad.bin", code: "ERR_HUB_BAD_REQUEST", message: "refused" }],
  };
  const json = toJobStatusJson(progress);
  t.same(json, {
    id: 4,
    folder: "/data/set",
    kind: "folder",
    repo: {
      id: "alice/set",
      type: "dataset",
      revision: "dev",
      pathInRepo: "sub",
      endpoint: "http://127.0.0.1:9",
      movedTo: null,
    },
    state: "blocked",
    blocked: { code: "ERR_HUB_UNAUTHORIZED", message: "the Hub refused the token" },
    lastError: {
      code: "ERR_HUB_UNAUTHORIZED",
      message: "the Hub refused the token",
      at: "2025-01-02T00:00:00.000Z",
    },
    files: byState,
    total: { files: 45, bytes: 450 },
    awaitingCommit: { files: 3, bytes: 30 },
    waiting: 1,
    commits: 2,
    bytesHashed: 1234,
    rates: { uploadBytesPerSec: 1000, hashBytesPerSec: 2001 },
    etaSeconds: 12,
    createdAt: "2025-01-01T00:00:00.000Z",
    updatedAt: "2025-01-02T00:00:00.000Z",
    finishedAt: null,
    failures: [{ path: "bad.bin", code: "ERR_HUB_BAD_REQUEST", message: "refused" }],
    watch: null,
    pullRequest: null,
    remoteDeletions: null,
    xet: null,
    options: {
      include: ["*.bin"],
      exclude: [],
      message: "Upload",
      commitDescription: "",
      visibility: "private",
      spaceSdk: null,
      watch: false,
      everyMinutes: null,
      delete: true,
      mirrorDeletes: true,
      tokenFile: "/home/alice/token",
      createPr: false,
      deletePatterns: [],
      transfer: "auto",
    },
  });
  t.same(Object.keys(json.files), FILE_STATES, "every file state, in stage order");
  t.equal(JSON.parse(JSON.stringify(json)).etaSeconds, 12, "serializable as is");
});

t.test("a watch job shows its watcher, schedule and pending work", async (t) => {
  const watching: JobRecord = {
    ...job,
    state: "active",
    options: { ...job.options, watch: true, everyMinutes: 2 },
  };
  const progress: JobProgress = {
    job: watching,
    byState,
    total: { files: 45, bytes: 450 },
    awaitingCommit: { files: 0, bytes: 0 },
    waiting: 0,
    uploadRate: 0,
    hashRate: 0,
    etaSeconds: null,
    running: true,
    failures: [],
    watch: {
      lastScanAt: Date.UTC(2025, 0, 1),
      pendingFiles: 7,
      pendingDeletions: 2,
      deletedFiles: 3,
      nextCommitAt: Date.UTC(2025, 0, 1, 0, 5),
    },
  };
  const rescanMs = 60 * 60_000;
  const events = toJobStatusJson(progress, {
    watcher: { mode: "events", warning: null, lastEventAt: Date.UTC(2025, 0, 1, 0, 1) },
    tuning: { watchRescanMs: rescanMs },
  }).watch;
  t.match(events, {
    watcher: "events",
    warning: null,
    lastScanAt: "2025-01-01T00:00:00.000Z",
    lastEventAt: "2025-01-01T00:01:00.000Z",
    pendingFiles: 7,
    pendingDeletions: 2,
    deletedFiles: 3,
    nextCommitAt: "2025-01-01T00:05:00.000Z",
  });
  const rescanIn = Date.parse(events?.nextRescanAt ?? "") - Date.UTC(2025, 0, 1);
  t.ok(rescanIn >= 0.9 * rescanMs && rescanIn <= 1.1 * rescanMs, "the full rescan is hourly, jittered ±10 %");

  const polling = toJobStatusJson(progress, {
    watcher: { mode: "polling", warning: "the inotify watch limit is reached", lastEventAt: null },
    tuning: { watchRescanMs: rescanMs },
  }).watch;
  t.equal(polling?.watcher, "polling");
  t.equal(polling?.warning, "the inotify watch limit is reached");
  t.equal(
    polling?.nextRescanAt,
    "2025-01-01T00:02:00.000Z",
    "without events the folder is polled every --every minutes",
  );

  const off = toJobStatusJson(progress).watch;
  t.equal(off?.watcher, "off", "no watcher (the job is not in a running daemon)");
  t.equal(off?.nextRescanAt, null);
});

t.test(
  "--create-pr and --delete GLOB: the PR (opened, or named by the revision) and the listing",
  async (t) => {
    const base = { ...job, repoType: "model" as const, repoId: "alice/m" };
    const progress = (
      record: JobRecord,
      patternDeletions: JobProgress["patternDeletions"] = null,
    ): JobProgress => ({
      job: record,
      byState,
      total: { files: 0, bytes: 0 },
      awaitingCommit: { files: 0, bytes: 0 },
      waiting: 0,
      uploadRate: 0,
      hashRate: 0,
      etaSeconds: null,
      running: false,
      watch: null,
      patternDeletions,
      failures: [],
    });
    const waiting = toJobStatusJson(
      progress(
        { ...base, options: { ...base.options, createPr: true, deletePatterns: ["*.txt"] } },
        {
          patterns: ["*.txt"],
          listed: false,
          pending: 0,
          deleted: 0,
        },
      ),
    );
    t.equal(waiting.pullRequest, null, "no PR before the first commit's answer");
    t.same(waiting.options.createPr, true);
    t.same(waiting.options.deletePatterns, ["*.txt"]);
    t.same(waiting.remoteDeletions, { patterns: ["*.txt"], listed: false, pending: 0, deleted: 0 });
    t.same(toJobStatusJson(progress({ ...base, pullRequest: 7 })).pullRequest, {
      number: 7,
      url: "http://127.0.0.1:9/alice/m/discussions/7",
    });
    t.same(toJobStatusJson(progress({ ...base, repoType: "dataset", revision: "refs/pr/3" })).pullRequest, {
      number: 3,
      url: "http://127.0.0.1:9/datasets/alice/m/discussions/3",
    });
    t.same(
      toJobStatusJson(progress({ ...base, movedRepoId: "bob/m", pullRequest: 2 })).pullRequest?.url,
      "http://127.0.0.1:9/bob/m/discussions/2",
      "a moved repo's new name",
    );
  },
);
