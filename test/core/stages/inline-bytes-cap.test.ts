import { writeFileSync } from "node:fs";
import path from "node:path";
import t from "tap";
import { startHarness, WRITE_TOKEN } from "../../helpers/engine-harness.js";
import { listRemoteFiles } from "../../helpers/remote-repo.js";

const KiB = 1024;

t.test("the per-commit inline-bytes cap splits regular files over several commits", async (t) => {
  // 10 regular files of 4 KiB under a 10 KiB cap: at most two ride one commit (a third would make 12).
  const h = await startHarness({
    tuning: { maxInlineBytesPerCommit: 10 * KiB, commitSizes: [100], initialCommitSizeIndex: 0 },
  });
  t.teardown(() => h.close());
  for (let i = 0; i < 10; i++) writeFileSync(path.join(h.folder, `f${i}.txt`), `${i}`.repeat(4 * KiB));
  const job = h.add("user/inline-cap");
  t.equal((await h.engine.whenSettled(job.id)).state, "done");

  const committed = h.journal.commits.list(job.id).filter((c) => c.state === "committed");
  const sizes = committed.map((c) => h.journal.commits.files(c.id).reduce((sum, f) => sum + f.size, 0));
  t.ok(
    sizes.every((bytes) => bytes <= 10 * KiB),
    `no commit carries more than the cap inline (bytes per commit: ${sizes.join(", ")})`,
  );
  t.ok(committed.length >= 5, `10 files of 4 KiB need at least 5 commits (made ${committed.length})`);
  t.equal(
    committed.reduce((sum, c) => sum + c.fileCount, 0),
    10,
    "every file was committed once",
  );
  const remote = await listRemoteFiles({
    endpoint: h.emulator.url,
    id: "user/inline-cap",
    token: WRITE_TOKEN,
  });
  t.same(
    [...remote.keys()].filter((p) => p.startsWith("f")).sort(),
    Array.from({ length: 10 }, (_, i) => `f${i}.txt`),
  );
});

t.test("a single regular file larger than the cap still goes, alone", async (t) => {
  const h = await startHarness({ tuning: { maxInlineBytesPerCommit: 1 * KiB, commitSizes: [100] } });
  t.teardown(() => h.close());
  writeFileSync(path.join(h.folder, "a.txt"), "a".repeat(3 * KiB));
  writeFileSync(path.join(h.folder, "b.txt"), "b".repeat(3 * KiB));
  const job = h.add("user/inline-alone");
  t.equal((await h.engine.whenSettled(job.id)).state, "done");
  const committed = h.journal.commits.list(job.id).filter((c) => c.state === "committed");
  t.same(
    committed.map((c) => c.fileCount),
    [1, 1],
    "each over-cap file rides a commit of its own",
  );
});
