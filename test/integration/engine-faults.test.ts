import t from "tap";
import { startHarness, WRITE_TOKEN } from "../helpers/engine-harness.js";
import { mixedFolder, readTree } from "../helpers/folder-tree.js";
import { downloadRemoteFile, listRemoteCommits, listRemoteFiles } from "../helpers/remote-repo.js";

const MiB = 1024 * 1024;

const FAULTS: Record<string, string> = {
  "5xx everywhere": "route=*,kind=status,status=503,rate=0.15",
  "429 with Retry-After": "route=*,kind=ratelimit,retry-after=0,rate=0.1",
  "connection resets": "route=*,kind=reset,rate=0.1",
  "cut bodies":
    "route=preupload,kind=cut,bytes=20,rate=0.3;route=lfs-batch,kind=cut,bytes=20,rate=0.3;route=paths-info,kind=cut,bytes=5,rate=0.3",
  "lost commit answers": "route=commit,kind=lost,count=3",
  "lost completions and parts": "route=lfs-complete,kind=lost,count=1;route=lfs-part,kind=lost,rate=0.2",
};

// With LFS (--transfer lfs); xet-fault-matrix.test.ts runs the matrix with Xet, faults on the CAS routes too.
const MATRIX = Object.entries(FAULTS).map(([n, s]): [string, string, string] => [n, s, "lfs"]);
for (const [name, spec, transfer] of MATRIX) {
  t.test(`the upload completes through ${name}, with no duplicate commit`, async (t) => {
    const h = await startHarness({
      emulator: { multipartThresholdBytes: 2 * MiB, multipartChunkBytes: MiB, faults: spec, seed: 7 },
      tuning: { commitSizes: [10, 20, 40], initialCommitSizeIndex: 0 },
    });
    t.teardown(() => h.close());
    mixedFolder(h.folder, {
      small: 60,
      empty: 2,
      lfs: 2,
      lfsBytes: 100_000,
      multipart: 1,
      multipartBytes: 2 * MiB + 10,
    });
    const job = h.add("user/faults", { transfer });
    const settled = await h.engine.whenSettled(job.id);
    t.equal(settled.state, "done", `done (${settled.blocked?.message ?? ""})`);
    t.ok(
      h.requests().some((r) => r.fault !== null),
      "faults were injected",
    );
    // The checks below read the repo back: without faults, so they test the upload, not themselves.
    h.emulator.setFaults("");

    const repo = { endpoint: h.emulator.url, id: "user/faults", token: WRITE_TOKEN };
    const local = readTree(h.folder);
    const remote = await listRemoteFiles(repo);
    t.same(
      [...local.keys()].filter((p) => !remote.has(p)),
      [],
      "every file is in the repo",
    );
    t.ok(
      (await downloadRemoteFile(repo, "big/shard-0.bin")).equals(
        local.get("big/shard-0.bin") ?? Buffer.alloc(0),
      ),
    );

    const commits = h.journal.commits.list(job.id);
    const applied = h
      .requests()
      .filter((r) => r.route === "commit" && (r.status === 200 || r.fault === "lost"));
    t.equal(
      (await listRemoteCommits(repo)).length - 1,
      applied.length,
      "remote commits = commits the Hub applied",
    );
    // A lost answer that was applied must be settled as committed, never re-sent: so the batches
    // the journal counts as landed are exactly the commits the Hub applied.
    const landed = commits.filter(
      (c) =>
        c.state === "committed" || (c.state === "reconciled" && h.journal.commits.files(c.id).length > 0),
    );
    t.equal(landed.length, applied.length, "journal batches that landed = commits the Hub applied");
    const committedFiles = h.journal.files.list(job.id, { state: "committed" });
    t.equal(committedFiles.length, local.size, "every file committed once in the journal");
  });
}
