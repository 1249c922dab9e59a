import t from "tap";
import { listRows } from "../../../cli/render/list-rows.js";
import { renderSummary } from "../../../cli/render/render-summary.js";
import { repoUrl } from "../../../cli/render/repo-url.js";
import { createStyle } from "../../../cli/render/style.js";
import { jobStatusFixture } from "../fixtures/job-status-fixture.js";

const plain = createStyle(false);

t.test("a clean upload: counts, new commits, elapsed and the repo URL", async (t) => {
  const job = jobStatusFixture({
    state: "done",
    files: { committed: { files: 35, bytes: 2048 }, ignored: { files: 1, bytes: 10 } },
    commits: 3,
    bytesHashed: 4096,
  });
  const lines = renderSummary(
    { job, commitsBefore: 2, elapsedMs: 3_200, failures: [], logFile: "/state/logs/upload.log" },
    plain,
  );
  t.match(lines[0], /^done: \/data\/folder → alice\/model \(model@main\)/);
  t.match(lines[1], "committed 35 files (2.00 KiB) · skipped 0 (already on the Hub) · ignored 1 · failed 0");
  t.match(lines[2], "1 new commit (3 in all) · hashed 4.00 KiB · elapsed 3s");
  t.match(lines[3], "https://hub.test/alice/model/tree/main");
  t.notMatch(lines.join("\n"), "upload.log", "no pointer to the log when all went well");
});

t.test("failures are listed, the rest counted, with what to do", async (t) => {
  const job = jobStatusFixture({ state: "done", files: { failed: { files: 12, bytes: 0 } } });
  const failures = [
    { path: "a.bin", code: "ERR_FILE_TOO_LARGE", message: "a.bin is 60 GiB, over the limit" },
    { path: "b.txt", code: "ERR_FILE_UNREADABLE", message: "b.txt cannot be read" },
  ];
  const text = renderSummary(
    { job, commitsBefore: 0, elapsedMs: 0, failures, logFile: "/x.log" },
    plain,
  ).join("\n");
  t.match(text, /^done with failures/);
  t.match(text, "12 files could not be uploaded:");
  t.match(text, "    a.bin: a.bin is 60 GiB, over the limit (ERR_FILE_TOO_LARGE)");
  t.match(text, "    b.txt: b.txt cannot be read (ERR_FILE_UNREADABLE)");
  t.match(text, "… and 10 more");
  t.match(text, "run the same command again");
  t.match(text, "details: /x.log");
});

t.test("repo URLs carry the type prefix, an encoded revision and the folder", async (t) => {
  const base = jobStatusFixture().repo;
  t.equal(repoUrl(base), "https://hub.test/alice/model/tree/main");
  t.equal(
    repoUrl({ ...base, type: "dataset", revision: "refs/pr/1", pathInRepo: "data/train" }),
    "https://hub.test/datasets/alice/model/tree/refs%2Fpr%2F1/data/train",
  );
  t.equal(repoUrl({ ...base, type: "space" }), "https://hub.test/spaces/alice/model/tree/main");
  t.equal(
    repoUrl({ ...base, pathInRepo: "weights/model.safetensors" }, "file"),
    "https://hub.test/alice/model/blob/main/weights/model.safetensors",
    "a one-file job links to the file's page",
  );
});

t.test("list rows: aligned columns, done/total, the blocking error first", async (t) => {
  const rows = listRows([
    jobStatusFixture({
      id: 1,
      state: "done",
      files: { committed: { files: 3, bytes: 0 }, skipped: { files: 1, bytes: 0 } },
    }),
    jobStatusFixture({
      id: 12,
      state: "blocked",
      repo: {
        id: "bob/data",
        type: "dataset",
        revision: "dev",
        pathInRepo: "",
        endpoint: "https://hub.test",
        movedTo: null,
      },
      blocked: { code: "ERR_HUB_FORBIDDEN", message: "no write access" },
    }),
  ]);
  t.equal(rows.length, 3);
  t.match(rows[0], /^ID\s+STATE\s+REPO\s+DONE\/TOTAL\s+LAST ERROR$/);
  t.match(rows[1], /^1\s+done\s+alice\/model@main\s+4\/4$/);
  t.match(rows[2], /^12\s+blocked\s+datasets\/bob\/data@dev\s+0\/0\s+no write access \(ERR_HUB_FORBIDDEN\)$/);
  t.equal(rows[1]?.indexOf("done"), rows[2]?.indexOf("blocked"), "columns line up");
});

t.test("a Xet upload shows bytes deduplicated vs sent, and the LFS-fallback note", async (t) => {
  const job = jobStatusFixture({
    state: "done",
    xet: {
      bytesChunked: 4 * 1024 * 1024,
      bytesDeduplicated: 3 * 1024 * 1024,
      bytesSent: 1024 * 1024,
      xorbsStored: 2,
      files: 3,
      dedupRatio: 0.75,
      note: "the Hub did not offer Xet for alice/model: files go through LFS",
    },
  });
  const text = renderSummary(
    { job, commitsBefore: 0, elapsedMs: 0, failures: [], logFile: "/x.log" },
    plain,
  ).join("\n");
  t.match(text, "Xet: 3 files · deduplicated 3.00 MiB of 4.00 MiB (ratio 0.75) · sent 1.00 MiB · xorbs 2");
  t.match(text, "Xet: the Hub did not offer Xet for alice/model: files go through LFS");
  const none = renderSummary(
    {
      job: jobStatusFixture({ state: "done" }),
      commitsBefore: 0,
      elapsedMs: 0,
      failures: [],
      logFile: "/x.log",
    },
    plain,
  ).join("\n");
  t.notMatch(none, "Xet", "nothing about Xet when the job sent nothing through it");
});
