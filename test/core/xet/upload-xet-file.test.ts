import { writeFileSync } from "node:fs";
import { join } from "node:path";
import t from "tap";
import { HubpushError } from "../../../common/hubpush-error.js";
import { DEFAULT_TUNING } from "../../../core/engine-tuning.js";
import type { XetAccessToken, XetCasCalls } from "../../../core/hub/hub-client.js";
import { silentLogger } from "../../../core/logger.js";
import { RateMeter } from "../../../core/rate-meter.js";
import type { UploadStageDeps } from "../../../core/stage-deps.js";
import { uploadXetFile } from "../../../core/xet/upload-xet-file.js";
import { XetSession } from "../../../core/xet/xet-session.js";
import { openJournal } from "../../../storage/sqlite-journal.js";
import { noise } from "../../helpers/noise.js";
import { fileAt, OPTIONS, specFor } from "../../storage/contract/contract-helpers.js";

/**
 * The shard-refusal guard in isolation: a CAS that stores nothing and refuses every shard for a
 * missing xorb. hubpush re-sends the xorb once, then fails the file loudly — it never loops. (The
 * happy path and a single refusal run against the real emulator in test/integration/xet-faults.)
 */
t.test("a shard refused again after the re-send fails the file; it never loops", async (t) => {
  const dir = t.testdir();
  const bytes = noise(50_000, 1);
  writeFileSync(join(dir, "a.bin"), bytes);
  const journal = openJournal(join(dir, "j.sqlite"));
  t.teardown(() => journal.close());
  const { job } = journal.jobs.upsert(specFor(dir), OPTIONS);
  const generation = journal.scan.begin(job.id);
  journal.scan.upsertFiles(job.id, generation, [fileAt("a.bin", bytes.length)]);
  const { createHash } = await import("node:crypto");
  const { statSync } = await import("node:fs");
  const st = statSync(join(dir, "a.bin"), { bigint: true });
  const scanned = journal.files.find(job.id, "a.bin");
  if (scanned === null) throw new Error("no file");
  const file = {
    ...scanned,
    size: bytes.length,
    mtimeNs: String(st.mtimeNs),
    ctimeNs: String(st.ctimeNs),
    inode: String(st.ino),
    sha256: createHash("sha256").update(bytes).digest("hex"),
  };
  const calls = { xorbs: 0, shards: 0 };
  let lastXorb = "";
  const cas: XetCasCalls = {
    writeToken: async () => ({ casUrl: "http://cas", accessToken: "x", expiresAt: Date.now() + 3_600_000 }),
    uploadXorb: async (_token: XetAccessToken, hash: string) => {
      calls.xorbs++;
      lastXorb = hash;
      return true;
    },
    uploadShard: async () => {
      calls.shards++;
      throw new HubpushError(
        "ERR_XET_CAS_REJECTED",
        `The Xet CAS refused upload shard (400: file 0 term 0 names xorb ${lastXorb}, which is not stored: upload every xorb before the shard.).`,
      );
    },
    queryChunk: async () => null,
  };
  const controller = new AbortController();
  const ctx = {
    job: { ...job, folder: dir },
    jobId: job.id,
    localPath: (rel: string) => join(dir, rel),
    journal,
    hub: { xet: cas },
    logger: silentLogger,
    signal: controller.signal,
    throttleBytes: async () => {},
    uploadMeter: new RateMeter(20_000, Date.now),
    tuning: DEFAULT_TUNING,
  } as unknown as UploadStageDeps;
  const session = new XetSession(cas, Date.now, silentLogger);
  const answer = {
    kind: "xet" as const,
    oid: file.sha256,
    size: file.size,
    refreshUrl: "http://hub/t",
    token: null,
    sessionId: null,
  };
  await t.rejects(uploadXetFile(ctx, session, file, answer), { code: "ERR_XET_SHARD_REFUSED" });
  t.same(
    calls,
    { xorbs: 2, shards: 2 },
    "the xorb was sent once more, the shard tried twice, then it stopped",
  );
  t.equal(journal.xet.getFile(file.id, file.sha256)?.state, "xorbs_stored", "never recorded as registered");
});
