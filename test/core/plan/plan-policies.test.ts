import t from "tap";
import { DEFAULT_TUNING } from "../../../core/engine-tuning.js";
import { deleteMatches } from "../../../core/plan/delete-matches.js";
import { estimateCommits } from "../../../core/plan/estimate-commits.js";
import { localUploadMode } from "../../../core/plan/local-upload-mode.js";
import { checkRepoLimits, DEFAULT_REPO_LIMITS } from "../../../core/plan/repo-limits.js";

const items = (n: number, inlineBytes = 0) => Array.from({ length: n }, () => ({ inlineBytes }));

t.test("estimateCommits follows the committer's growing batch sizes and inline cap", async (t) => {
  // Default sizes start at 250 and grow after each full, fast commit: 250, 400, 600, 1000, 1000…
  const rows: Array<[number, number, number]> = [
    [0, 0, 0],
    [0, 3, 1],
    [1, 0, 1],
    [250, 0, 1],
    [251, 0, 2],
    [650, 0, 2],
    [651, 0, 3],
    [1250, 0, 3],
    [2250, 0, 4],
    [3250, 0, 5],
  ];
  for (const [files, deletions, commits] of rows) {
    t.equal(
      estimateCommits(items(files), deletions, DEFAULT_TUNING),
      commits,
      `${files} files, ${deletions} deletions`,
    );
  }
  const tuning = { ...DEFAULT_TUNING, maxInlineBytesPerCommit: 100 };
  t.equal(
    estimateCommits(items(10, 30), 0, tuning),
    4,
    "3 inline files of 30 bytes fit under 100 per commit",
  );
  t.equal(estimateCommits(items(2, 500), 0, tuning), 2, "a file over the cap still travels, alone");
});

t.test("checkRepoLimits names the repo, the folders and the files over the limits", async (t) => {
  const limits = { maxRepoFiles: 3, maxFolderEntries: 2, recommendedFileBytes: 10, maxFileBytes: 20 };
  const warnings = checkRepoLimits(
    [
      { path: "a/x", size: 1 },
      { path: "a/y", size: null },
      { path: "a/b/z", size: 15 },
      { path: "huge", size: 21 },
    ],
    limits,
  );
  t.same(
    warnings.map((w) => [w.kind, w.path, w.value]),
    [
      ["file-size-recommended", "a/b/z", 15],
      ["file-size-refused", "huge", 21],
      ["folder-entries", "a", 3],
    ],
    "3 files land (huge is refused): not over 3; folder a has x, y and b",
  );
  t.same(checkRepoLimits([{ path: "a", size: 1 }], DEFAULT_REPO_LIMITS), []);
  const many = Array.from({ length: 4 }, (_, i) => ({ path: `d${i}/f`, size: 1 }));
  t.same(
    checkRepoLimits(many, limits).map((w) => [w.kind, w.path, w.value]),
    [
      ["repo-files", "", 4],
      ["folder-entries", "", 4],
    ],
  );
});

t.test(
  "deleteMatches: under the prefix, relative globs, never uploaded paths or .gitattributes",
  async (t) => {
    const remote = [
      "a.txt",
      "s/a.txt",
      "s/deep/b.txt",
      "s/keep.md",
      "s/up.txt",
      "s/.gitattributes",
      "t/c.txt",
    ];
    t.same(deleteMatches(remote, ["*.txt"], "s", new Set(["s/up.txt"])), ["s/a.txt", "s/deep/b.txt"]);
    t.same(deleteMatches(remote, ["deep/**"], "s", new Set()), ["s/deep/b.txt"]);
    t.same(
      deleteMatches(remote, ["*"], "", new Set()),
      remote.filter((p) => !p.endsWith(".gitattributes")).sort(),
    );
    t.same(deleteMatches(remote, [], "s", new Set()), []);
  },
);

t.test("localUploadMode applies the Hub's rules for a new repo", async (t) => {
  const text = Buffer.from("hello").toString("base64");
  const binary = Buffer.from([1, 0, 2]).toString("base64");
  const mode = localUploadMode("model", "*.csv filter=lfs diff=lfs merge=lfs -text\n");
  t.equal(mode("w/model.safetensors", 10, text), "lfs", "default pattern");
  t.equal(mode("data.csv", 10, text), "lfs", "the uploaded .gitattributes");
  t.equal(mode("empty.bin", 0, ""), "regular", "empty files are regular");
  t.equal(mode("notes.txt", 11 * 1024 * 1024, text), "lfs", "over 10 MiB");
  t.equal(mode("blob.dat", 2_000_000, binary), "lfs", "binary over 1 MB");
  t.equal(mode("blob.dat", 900_000, binary), "regular");
  t.equal(mode("notes.txt", 100, text), "regular");
  t.equal(localUploadMode("model", null)("pic.png", 10, text), "regular");
  t.equal(localUploadMode("dataset", null)("pic.png", 10, text), "lfs", "datasets add image types");
});
