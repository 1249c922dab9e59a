import t from "tap";
import { shardConflicts } from "../chaos/xet-shards.js";
import { startHarness, WRITE_TOKEN } from "../helpers/engine-harness.js";
import { mixedFolder, readTree } from "../helpers/folder-tree.js";
import { downloadRemoteFile, listRemoteCommits, listRemoteFiles } from "../helpers/remote-repo.js";

/**
 * The engine fault matrix with --transfer xet (engine-faults.test.ts runs it with LFS): 5xx, 429s,
 * resets, cut and lost answers and latency on every route, the CAS routes among them (token, xorb,
 * shard, chunk dedup query). The write token lives 30 s, under the 60 s refresh margin, so every CAS
 * call goes through the token route too.
 */
const MiB = 1024 * 1024;
const CAS_ROUTES = ["xet-token", "xet-xorb", "xet-shard", "xet-dedup"];

const FAULTS: Record<string, string> = {
  "5xx everywhere": "route=*,kind=status,status=503,rate=0.15",
  "429 with Retry-After": "route=*,kind=ratelimit,retry-after=0,rate=0.1",
  "connection resets": "route=*,kind=reset,rate=0.1",
  "latency on every route": "route=*,kind=latency,ms=150,rate=0.5",
  "cut CAS answers":
    "route=xet-token,kind=cut,bytes=20,rate=0.3;route=xet-dedup,kind=cut,bytes=100,rate=0.3;route=xet-shard,kind=cut,bytes=5,rate=0.3",
  "lost CAS answers":
    "route=xet-xorb,kind=lost,rate=0.3;route=xet-shard,kind=lost,rate=0.3;route=xet-token,kind=lost,rate=0.2;route=xet-dedup,kind=lost,rate=0.3;route=commit,kind=lost,count=2",
  "CAS 5xx and 429": CAS_ROUTES.flatMap((r) => [
    `route=${r},kind=status,status=502,rate=0.2`,
    `route=${r},kind=ratelimit,retry-after=0,rate=0.1`,
  ]).join(";"),
};

for (const [name, spec] of Object.entries(FAULTS)) {
  t.test(
    `Xet: the upload completes through ${name}; every file once, identical, one shard each`,
    async (t) => {
      const h = await startHarness({
        emulator: { faults: spec, seed: 11, xetTokenTtlSeconds: 30 },
        tuning: { commitSizes: [10, 20, 40], initialCommitSizeIndex: 0 },
      });
      t.teardown(() => h.close());
      mixedFolder(h.folder, {
        small: 40,
        empty: 2,
        lfs: 4,
        lfsBytes: 300_000,
        multipart: 2,
        multipartBytes: 3 * MiB + 10,
      });
      const job = h.add("user/xet-faults", { transfer: "xet" });
      const settled = await h.engine.whenSettled(job.id);
      t.equal(settled.state, "done", `done (${settled.blocked?.message ?? ""})`);
      const faulted = h.requests().filter((r) => r.fault !== null && CAS_ROUTES.includes(r.route));
      t.ok(
        faulted.length > 0,
        `faults hit the CAS routes (${[...new Set(faulted.map((r) => r.route))].join(", ")})`,
      );
      // The checks below read the repo back: without faults, so they test the upload, not themselves.
      h.emulator.setFaults("");

      const requests = h.requests();
      t.ok(
        requests.some((r) => r.route === "xet-xorb" && r.status === 200),
        "big files went through the Xet CAS",
      );
      t.equal(
        requests.filter((r) => r.route === "lfs-put" || r.route === "lfs-part").length,
        0,
        "no LFS upload",
      );
      const repo = { endpoint: h.emulator.url, id: "user/xet-faults", token: WRITE_TOKEN };
      const local = readTree(h.folder);
      const remote = await listRemoteFiles(repo);
      t.same(
        [...local.keys()].filter((p) => !remote.has(p)),
        [],
        "every file is in the repo",
      );
      const different: string[] = [];
      for (const [rel, bytes] of local) {
        if (!(await downloadRemoteFile(repo, rel)).equals(bytes)) different.push(rel);
      }
      t.same(different, [], "every file downloads byte-identical");
      t.same(
        shardConflicts(h.emulator.dataDir),
        [],
        "no Xet file registered by two shards of different bytes",
      );

      const applied = requests.filter(
        (r) => r.route === "commit" && (r.status === 200 || r.fault === "lost"),
      );
      t.equal(
        (await listRemoteCommits(repo)).length - 1,
        applied.length,
        "remote commits = commits the Hub applied",
      );
      const landed = h.journal.commits
        .list(job.id)
        .filter(
          (c) =>
            c.state === "committed" || (c.state === "reconciled" && h.journal.commits.files(c.id).length > 0),
        );
      t.equal(landed.length, applied.length, "journal batches that landed = commits the Hub applied");
      t.equal(
        h.journal.files.list(job.id, { state: "committed" }).length,
        local.size,
        "every file committed once in the journal",
      );
    },
  );
}
