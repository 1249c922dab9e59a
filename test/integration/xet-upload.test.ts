import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import t from "tap";
import { toJobStatusJson } from "../../daemon/job-status-json.js";
import { type Harness, startHarness, WRITE_TOKEN } from "../helpers/engine-harness.js";
import { noise } from "../helpers/noise.js";
import { downloadRemoteFile } from "../helpers/remote-repo.js";

/**
 * The Xet client end to end (docs/xet.md): a real engine, real journal and the emulator's CAS on
 * port 0. Files arrive byte-identical through `resolve`, the tree shows their xetHash, no LFS PUT is
 * made, the journal walks chunked → xorbs_stored → shard_registered → committed, and re-uploads
 * dedup through the persistent chunk index.
 */
const MiB = 1024 * 1024;

function routes(h: Harness, since = 0): string[] {
  return h
    .requests()
    .slice(since)
    .map((r) => r.route);
}

/** path → xetHash (or null) from the tree listing. */
async function xetHashes(endpoint: string, repo: string): Promise<Map<string, string | null>> {
  const res = await fetch(`${endpoint}/api/models/${repo}/tree/main?recursive=true`, {
    headers: { authorization: `Bearer ${WRITE_TOKEN}` },
  });
  const entries = (await res.json()) as Array<{ path: string; xetHash?: string }>;
  return new Map(entries.map((e) => [e.path, e.xetHash ?? null]));
}

function stats(h: Harness, jobId: number) {
  const s = h.journal.xet.jobStats(jobId);
  if (s === null) throw new Error("no xet stats");
  return s;
}

t.test(
  "hubpush uploads with Xet: byte-identical, xetHash in the tree, no LFS PUT, journal states",
  async (t) => {
    const h = await startHarness({ emulator: { lfsThresholdBytes: 0 } });
    t.teardown(() => h.close());
    const files = new Map<string, Buffer>([
      ["empty.bin", Buffer.alloc(0)],
      ["one.bin", Buffer.from([7])],
      ["small.bin", noise(100 * 1024, 1)],
      ["big.bin", noise(20 * MiB, 2)],
    ]);
    for (const [name, bytes] of files) writeFileSync(path.join(h.folder, name), bytes);
    const job = h.add("user/xet-basic");
    const settled = await h.engine.whenSettled(job.id);
    t.equal(settled.state, "done", "the job finished");
    t.equal(h.journal.jobs.counts(job.id).byState.committed.files, files.size, "every file committed");

    const repo = { endpoint: h.emulator.url, id: "user/xet-basic", token: WRITE_TOKEN };
    const remote = await xetHashes(h.emulator.url, "user/xet-basic");
    for (const [name, bytes] of files) {
      t.ok(
        (await downloadRemoteFile(repo, name)).equals(bytes),
        `${name} downloads identical through resolve`,
      );
      if (bytes.length > 0) t.match(remote.get(name), /^[0-9a-f]{64}$/, `${name} has a xetHash`);
    }
    const seen = routes(h);
    t.notOk(seen.includes("lfs-put") || seen.includes("lfs-part"), "no LFS upload");
    t.ok(seen.includes("xet-xorb") && seen.includes("xet-shard"), "xorbs and shards went to the CAS");

    for (const name of ["one.bin", "small.bin", "big.bin"]) {
      const file = h.journal.files.find(job.id, name);
      const xet = file === null ? null : h.journal.xet.getFile(file.id, file.sha256 ?? "");
      t.equal(xet?.state, "committed", `${name}: the file version's Xet state is committed`);
    }
    const s = stats(h, job.id);
    t.equal(s.files, 3, "three files registered through Xet");
    t.ok(s.xorbsStored >= 2, `xorbs stored (${s.xorbsStored})`);
    t.ok(s.bytesSent >= 20 * MiB, `bytes sent ${s.bytesSent} cover the random data`);
    t.equal(s.note, null, "no LFS fallback note");
    const json = h.engine.progress(job.id);
    t.ok(json.job.options.transfer === "auto", "default transfer is auto");
  },
);

t.test(
  "re-upload after a 1 MiB overwrite sends ≤ 3 %, and a new job dedups via the chunk index",
  async (t) => {
    const h = await startHarness({ emulator: { lfsThresholdBytes: 0 } });
    t.teardown(() => h.close());
    const size = 40 * MiB;
    const original = noise(size, 3);
    const file = path.join(h.folder, "model.bin");
    writeFileSync(file, original);
    const first = h.add("user/xet-edit");
    t.equal((await h.engine.whenSettled(first.id)).state, "done");
    const before = stats(h, first.id).bytesSent;

    const edited = Buffer.from(original);
    noise(MiB, 4).copy(edited, 20 * MiB);
    writeFileSync(file, edited);
    const again = h.add("user/xet-edit");
    t.equal((await h.engine.whenSettled(again.id)).state, "done");
    const sent = stats(h, first.id).bytesSent - before;
    t.ok(sent <= 0.03 * size, `re-upload sent ${sent} bytes (≤ 3 % of ${size})`);
    const status = toJobStatusJson(h.engine.progress(first.id)).xet;
    t.ok(
      status !== null && status.dedupRatio > 0.45,
      `status --json shows xet.dedupRatio ${status?.dedupRatio}`,
    );
    t.equal(status?.files, 2, "two file versions went through Xet");
    const repo = { endpoint: h.emulator.url, id: "user/xet-edit", token: WRITE_TOKEN };
    t.ok((await downloadRemoteFile(repo, "model.bin")).equals(edited), "the edited file downloads identical");

    // A new job (another repo, same endpoint) with another edit: the journal's chunk index knows every
    // other chunk, so no dedup query is needed and only the edited region is sent.
    const third = Buffer.from(edited);
    noise(MiB, 5).copy(third, 30 * MiB);
    writeFileSync(file, third);
    const mark = h.requests().length;
    const other = h.add("user/xet-other");
    t.equal((await h.engine.whenSettled(other.id)).state, "done");
    const s = stats(h, other.id);
    t.ok(s.bytesSent <= 0.06 * size, `cross-job upload sent ${s.bytesSent} bytes (≤ 6 %)`);
    t.ok(s.bytesDeduped >= size - 3 * MiB, `${s.bytesDeduped} bytes deduplicated`);
    t.notOk(routes(h, mark).includes("xet-dedup"), "no global dedup query: the chunk index answered");
    const otherRepo = { endpoint: h.emulator.url, id: "user/xet-other", token: WRITE_TOKEN };
    t.ok((await downloadRemoteFile(otherRepo, "model.bin")).equals(third), "identical in the new repo");
  },
);

t.test("the Appendix B `hello world` upload, byte for byte, through the client", async (t) => {
  const h = await startHarness({ emulator: { lfsThresholdBytes: 0 } });
  t.teardown(() => h.close());
  writeFileSync(path.join(h.folder, "hello.txt"), "hello world");
  const job = h.add("user/xet-hello");
  t.equal((await h.engine.whenSettled(job.id)).state, "done");
  const log = h.requests();
  const xorb = "4e39378b9d359f118190557a1f44130219a54e5fcfa07bd96cf50b466fe651b1";
  t.same(
    log.filter((r) => r.route === "xet-xorb").map((r) => r.oid),
    [xorb],
    "one xorb, named by the chunk hash",
  );
  // The emulator names a shard by the SHA-256 of its body: Appendix B's 432-byte shard exactly.
  t.same(
    log.filter((r) => r.route === "xet-shard").map((r) => r.oid),
    ["b1c3cab94a28e349ae48136a6db0c374e232d587398d6ade5d04dbcb19918278"],
    "the shard body is Appendix B's, byte for byte",
  );
  const stored = findFile(path.join(h.root, "emulator"), xorb);
  t.ok(stored, "the xorb is stored");
  t.equal(
    readFileSync(stored ?? "").toString("hex"),
    `000b0000000b0000${Buffer.from("hello world").toString("hex")}`,
    "the xorb body is Appendix B's 19 bytes",
  );
  t.equal(
    (await xetHashes(h.emulator.url, "user/xet-hello")).get("hello.txt"),
    "f15edd43b7e85cfd25e2758ffe13b99fdd09dfa817e8d9f6548722a7a126db7f",
    "the tree shows Appendix B's file hash",
  );
});

function findFile(dir: string, name: string): string | null {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      const found = findFile(full, name);
      if (found !== null) return found;
    } else if (entry.name === name) return full;
  }
  return null;
}
