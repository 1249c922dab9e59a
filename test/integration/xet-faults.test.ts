import { writeFileSync } from "node:fs";
import path from "node:path";
import t from "tap";
import { toJobStatusJson } from "../../daemon/job-status-json.js";
import { chunkBuffer } from "../../xet/chunker.js";
import { loadXetHasher } from "../../xet/xet-hasher.js";
import { XorbBuilder } from "../../xet/xorb.js";
import { type Harness, startHarness, WRITE_TOKEN } from "../helpers/engine-harness.js";
import { noise } from "../helpers/noise.js";
import { downloadRemoteFile } from "../helpers/remote-repo.js";

/** Bad input on the Xet path (docs/xet.md "Failures"): real engine, journal and emulator CAS. */
const KiB = 1024;

function count(h: Harness, route: string, status?: number): number {
  return h.requests().filter((r) => r.route === route && (status === undefined || r.status === status))
    .length;
}

t.test("a CAS 400 on a xorb fails that file with the CAS message; the other file goes on", async (t) => {
  const h = await startHarness({
    emulator: { lfsThresholdBytes: 0, faults: "route=xet-xorb,kind=status,status=400,count=1" },
  });
  t.teardown(() => h.close());
  writeFileSync(path.join(h.folder, "a.bin"), noise(300 * KiB, 10));
  writeFileSync(path.join(h.folder, "b.bin"), noise(300 * KiB, 11));
  const job = h.add("user/xet-bad-xorb");
  const settled = await h.engine.whenSettled(job.id);
  t.equal(settled.state, "done", "the job finishes");
  const counts = h.journal.jobs.counts(job.id).byState;
  t.equal(counts.failed.files, 1, "one file failed");
  t.equal(counts.committed.files, 1, "the other was committed");
  const failed = h.journal.files.list(job.id, { state: "failed" })[0];
  t.equal(failed?.lastError?.code, "ERR_XET_CAS_REJECTED");
  t.match(
    failed?.lastError?.message ?? "",
    /Xet CAS refused upload xorb [0-9a-f]{64} \(400/,
    "the CAS's answer is in it",
  );
});

t.test("a write token the Hub refuses blocks the job with a clear message", async (t) => {
  // Tokens live 30 s, under the 60 s refresh margin: the first CAS call needs the token route.
  const h = await startHarness({
    emulator: {
      lfsThresholdBytes: 0,
      xetTokenTtlSeconds: 30,
      faults: "route=xet-token,kind=status,status=403",
    },
  });
  t.teardown(() => h.close());
  writeFileSync(path.join(h.folder, "a.bin"), noise(100 * KiB, 12));
  const job = h.add("user/xet-token-refused");
  const settled = await h.engine.whenSettled(job.id);
  t.equal(settled.state, "blocked");
  t.equal(settled.blocked?.code, "ERR_XET_TOKEN_REFUSED");
  t.match(settled.blocked?.message ?? "", /refused a Xet write token \(403/);
  t.notMatch(settled.blocked?.message ?? "", new RegExp(WRITE_TOKEN), "no token in the message");
  t.equal(count(h, "xet-xorb"), 0, "nothing was sent to the CAS");
});

t.test("a token close to expiry is refreshed before use", async (t) => {
  const h = await startHarness({ emulator: { lfsThresholdBytes: 0, xetTokenTtlSeconds: 30 } });
  t.teardown(() => h.close());
  writeFileSync(path.join(h.folder, "a.bin"), noise(200 * KiB, 13));
  const job = h.add("user/xet-refresh");
  t.equal((await h.engine.whenSettled(job.id)).state, "done");
  t.ok(count(h, "xet-token", 200) >= 1, "the token route gave a fresh token (the batch's had < 60 s left)");
  t.equal(count(h, "xet-xorb", 401), 0, "the CAS never saw an expired token");
});

t.test("a CAS 401 gets a fresh token and one more try, at once", async (t) => {
  const h = await startHarness({
    emulator: { lfsThresholdBytes: 0, faults: "route=xet-xorb,kind=status,status=401,count=1" },
    // A file-level retry would wait a minute: the test proves the token is refreshed in place.
    tuning: { backoffBaseMs: 60_000, backoffCapMs: 60_000 },
  });
  t.teardown(() => h.close());
  const bytes = noise(200 * KiB, 18);
  writeFileSync(path.join(h.folder, "a.bin"), bytes);
  const job = h.add("user/xet-401");
  t.equal((await h.engine.whenSettled(job.id)).state, "done");
  t.equal(count(h, "xet-token", 200), 1, "one token refresh, after the 401");
  t.equal(count(h, "xet-xorb", 401), 1, "one 401");
  t.equal(count(h, "xet-xorb", 200), 1, "then stored");
  t.equal(h.journal.files.find(job.id, "a.bin")?.attempts, 0, "no file-level retry was needed");
  const repo = { endpoint: h.emulator.url, id: "user/xet-401", token: WRITE_TOKEN };
  t.ok((await downloadRemoteFile(repo, "a.bin")).equals(bytes));
});

t.test(
  "a shard refused for a xorb the journal wrongly records as stored: the xorb is sent once more",
  async (t) => {
    const h = await startHarness({ emulator: { lfsThresholdBytes: 0 } });
    t.teardown(() => h.close());
    const bytes = noise(200 * KiB, 14);
    writeFileSync(path.join(h.folder, "a.bin"), bytes);
    // The journal believes a xorb with all of this file's chunks is stored; the CAS never saw it.
    const hasher = await loadXetHasher();
    const builder = new XorbBuilder("none");
    for (const c of chunkBuffer(bytes)) builder.tryAdd(hasher.chunkHash(c), c);
    const xorb = builder.build(hasher);
    h.journal.xet.recordXorbBuilt(h.emulator.url, {
      hash: xorb.hashString,
      chunks: xorb.chunks,
      unpackedBytes: xorb.unpackedLength,
      serializedBytes: xorb.body.length,
    });
    const seed = h.journal.jobs.upsert(
      {
        folder: h.folder,
        endpoint: h.emulator.url,
        repoType: "model",
        repoId: "user/seed",
        revision: "main",
        pathInRepo: "",
      },
      {
        include: [],
        exclude: [],
        message: "m",
        visibility: "default",
        spaceSdk: null,
        tokenFile: null,
        watch: false,
        everyMinutes: null,
        deleteRemote: false,
      },
    ).job;
    h.journal.xet.recordXorbUploaded(h.emulator.url, xorb.hashString, seed.id, 0);
    h.engine.cancel(seed.id);

    const job = h.add("user/xet-missing");
    t.equal((await h.engine.whenSettled(job.id)).state, "done", "the job completes");
    t.equal(count(h, "xet-shard", 400), 1, "the first shard was refused");
    t.equal(count(h, "xet-shard", 200), 1, "the second was accepted");
    t.equal(count(h, "xet-xorb", 200), 1, "the missing xorb was sent once");
    const repo = { endpoint: h.emulator.url, id: "user/xet-missing", token: WRITE_TOKEN };
    t.ok((await downloadRemoteFile(repo, "a.bin")).equals(bytes), "identical");
  },
);

t.test("--transfer lfs on a Xet repo uses LFS", async (t) => {
  const h = await startHarness({ emulator: { lfsThresholdBytes: 0 } });
  t.teardown(() => h.close());
  writeFileSync(path.join(h.folder, "a.bin"), noise(100 * KiB, 15));
  const job = h.add("user/xet-lfs", { transfer: "lfs" });
  t.equal((await h.engine.whenSettled(job.id)).state, "done");
  t.equal(count(h, "lfs-put"), 1, "one LFS PUT");
  t.equal(count(h, "xet-xorb"), 0, "no xorb");
  t.equal(toJobStatusJson(h.engine.progress(job.id)).options.transfer, "lfs");
});

t.test("a --no-xet repo: auto falls back to LFS with a note, --transfer xet blocks the job", async (t) => {
  const h = await startHarness({ emulator: { lfsThresholdBytes: 0, xet: false } });
  t.teardown(() => h.close());
  writeFileSync(path.join(h.folder, "a.bin"), noise(100 * KiB, 16));
  const auto = h.add("user/legacy");
  t.equal((await h.engine.whenSettled(auto.id)).state, "done");
  t.equal(count(h, "lfs-put"), 1, "sent through LFS");
  const status = toJobStatusJson(h.engine.progress(auto.id));
  t.match(status.xet?.note ?? "", /did not offer Xet/, "status says why");

  writeFileSync(path.join(h.folder, "b.bin"), noise(100 * KiB, 17));
  const strict = h.add("user/legacy-strict", { transfer: "xet" });
  const settled = await h.engine.whenSettled(strict.id);
  t.equal(settled.state, "blocked");
  t.equal(settled.blocked?.code, "ERR_XET_UNAVAILABLE");
  t.match(settled.blocked?.message ?? "", /--transfer auto/);
});
