import { createHash } from "node:crypto";
import { statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import t, { type Test } from "tap";
import { DEFAULT_TUNING } from "../../../core/engine-tuning.js";
import { UndiciHubClient } from "../../../core/hub/undici-hub-client.js";
import { uploadMultipart } from "../../../core/lfs/upload-multipart.js";
import { silentLogger } from "../../../core/logger.js";
import { UploadStreams } from "../../../core/pacing/upload-streams.js";
import { RateMeter } from "../../../core/rate-meter.js";
import type { UploadStageDeps } from "../../../core/stage-deps.js";
import type { FileRecord } from "../../../storage/journal.js";
import { openJournal } from "../../../storage/sqlite-journal.js";
import { createRepo, startTestEmulator, WRITE_TOKEN } from "../../emulator/helpers.js";
import { noise } from "../../helpers/noise.js";
import { fileAt, OPTIONS, specFor } from "../../storage/contract/contract-helpers.js";

// uploadMultipart against the real emulator, whose completion stores the object only when the
// assembled parts hash to the oid: a completion that succeeds proves the bytes on the wire were the
// file's, byte for byte. Every part streams from disk at its own offset through one reused buffer
// (issue 16 item 6), side by side when streams are free. The bytes are not hashed again as they
// are sent: the stat guard must refuse a file rewritten since its hash, even with its size and
// mtime put back (ctime moves), and a racy file or the rehashOnSend knob must still refuse content
// that no longer matches the journaled sha256 (a change the stat cannot see) before the completion.
const KiB = 1024;
const CHUNK = 256 * KiB;
const SIZE = 5 * CHUNK + 123; // six parts, the last one short

const FIXED_TIME = 1_700_000_000;

const sha256 = (b: Buffer): string => createHash("sha256").update(b).digest("hex");

async function setup(
  t: Test,
  options: {
    partBufferBytes: number;
    journaledContent?: Buffer;
    streams?: number;
    size?: number;
    chunk?: number;
    link?: string;
    /** rehashOnSend: 1 (every byte hashed again as it is sent). */
    rehash?: boolean;
    /** The job began right after the file was written: the file is racy (send-guard.ts). */
    racy?: boolean;
    /** Called before the n-th part's PUT (from 1), before its body is read. */
    onPut?: (n: number, path: string) => Promise<void>;
  },
) {
  const size = options.size ?? SIZE;
  const chunk = options.chunk ?? CHUNK;
  const emu = await startTestEmulator(t, {
    multipartThresholdBytes: chunk,
    multipartChunkBytes: chunk,
    ...(options.link === undefined ? {} : { link: options.link }),
  });
  t.equal((await createRepo(emu.url, "user/parts")).status, 200, "repo created");
  const dir = t.testdir();
  const content = noise(size, 7);
  writeFileSync(join(dir, "big.bin"), content);
  // Whole seconds: utimes takes a double, and a test puts this exact mtime back after a rewrite.
  utimesSync(join(dir, "big.bin"), FIXED_TIME, FIXED_TIME);
  const journal = openJournal(join(dir, "j.sqlite"));
  t.teardown(() => journal.close());
  const { job } = journal.jobs.upsert(specFor(dir), OPTIONS);
  journal.scan.upsertFiles(job.id, journal.scan.begin(job.id), [fileAt("big.bin", size)]);
  const scanned = journal.files.find(job.id, "big.bin");
  if (scanned === null) throw new Error("no file");
  const st = statSync(join(dir, "big.bin"), { bigint: true });
  // The journal holds the stat of the file on disk and the sha256 of `journaledContent`: the
  // content the hash stage saw, when the file changed since within the same timestamp tick.
  const journaled = options.journaledContent ?? content;
  const file: FileRecord = {
    ...scanned,
    size: size,
    mtimeNs: String(st.mtimeNs),
    ctimeNs: String(st.ctimeNs),
    inode: String(st.ino),
    sha256: sha256(journaled),
  };
  const hub = new UndiciHubClient({ endpoint: emu.url, token: async () => WRITE_TOKEN });
  t.teardown(() => hub.close());
  const repo = { type: "model" as const, id: "user/parts" };
  const [answer] = await hub.lfsBatch(repo, "main", [{ oid: sha256(journaled), size: size }]);
  if (answer?.kind !== "multipart") throw new Error(`expected a multipart answer, got ${answer?.kind}`);
  journal.lfs.savePlan(file.id, {
    oid: answer.oid,
    size: answer.size,
    chunkSize: answer.chunkSize,
    completionUrl: answer.completionUrl,
    partUrls: answer.partUrls,
    expiresAt: answer.expiresAt,
    verifyUrl: null,
    verifyHeader: null,
  });
  const plan = journal.lfs.getPlan(file.id);
  if (plan === null) throw new Error("no plan");
  const streams = new UploadStreams({
    start: options.streams ?? 2,
    max: options.streams ?? 2,
    windowMs: 60_000,
    bufferBytes: options.partBufferBytes,
  });
  // Part PUTs in flight at once, and the most seen.
  const flight = { now: 0, peak: 0 };
  const completions: string[] = [];
  let puts = 0;
  const controller = new AbortController();
  const ctx = {
    // A job created well after the file's last change, unless the case wants it racy.
    job: { ...job, folder: dir, ...(options.racy ? {} : { createdAt: Date.now() + 60_000 }) },
    jobId: job.id,
    localPath: (rel: string) => join(dir, rel),
    journal,
    hub: {
      putUpload: async (...args: Parameters<UndiciHubClient["putUpload"]>) => {
        await options.onPut?.(++puts, join(dir, "big.bin"));
        flight.now++;
        flight.peak = Math.max(flight.peak, flight.now);
        try {
          return await hub.putUpload(...args);
        } finally {
          flight.now--;
        }
      },
      // The real call, counted: a refused file must never reach it.
      completeMultipart: (...args: Parameters<UndiciHubClient["completeMultipart"]>) => {
        completions.push(args[1]);
        return hub.completeMultipart(...args);
      },
    },
    logger: silentLogger,
    signal: controller.signal,
    aborted: false,
    throttleBytes: async () => {},
    uploadMeter: new RateMeter(20_000, Date.now),
    uploadStreams: streams,
    tuning: { ...DEFAULT_TUNING, rehashOnSend: options.rehash ? 1 : 0 },
  } as unknown as UploadStageDeps;
  return { ctx, file, plan, streams, journal, completions, flight };
}

t.test(
  "parts go side by side, each read at its own offset: the object completes (the emulator checked its sha256)",
  async (t) => {
    const s = await setup(t, { partBufferBytes: 0, streams: 4 });
    await uploadMultipart(s.ctx, s.file, s.plan);
    t.same(s.completions, [s.file.sha256], "completed once, and the emulator accepted the assembled bytes");
    t.equal(s.journal.lfs.getPlan(s.file.id)?.doneParts.size, s.plan.partUrls.length, "every part journaled");
    t.ok(s.flight.peak >= 2, `parts went side by side (${s.flight.peak} at once)`);
    t.ok(s.flight.peak <= 4, "never more than the streams");
    t.equal(s.streams.bufferBytesAllocated, 0, "no part was read into a pooled buffer");
  },
);

t.test("one stream: the parts go one at a time, and the object completes", async (t) => {
  const s = await setup(t, { partBufferBytes: 0, streams: 1 });
  await uploadMultipart(s.ctx, s.file, s.plan);
  t.same(s.completions, [s.file.sha256], "completed once");
  t.equal(s.flight.peak, 1, "one part at a time");
});

t.test("rehashOnSend: content that no longer matches the journaled sha256 is never completed", async (t) => {
  const hashed = noise(SIZE, 8); // what the hash stage saw; the file now holds other bytes
  const s = await setup(t, { partBufferBytes: 0, journaledContent: hashed, streams: 4, rehash: true });
  await t.rejects(uploadMultipart(s.ctx, s.file, s.plan), { code: "ERR_FILE_CHANGED" });
  t.same(s.completions, [], "the completion was not posted");
});

t.test("a racy file (changed just before its job began) is hashed again without the knob", async (t) => {
  // Same stat, other content: only a re-hash sees it, and a racy file gets one.
  const s = await setup(t, { partBufferBytes: 0, journaledContent: noise(SIZE, 8), racy: true });
  await t.rejects(uploadMultipart(s.ctx, s.file, s.plan), { code: "ERR_FILE_CHANGED" });
  t.same(s.completions, [], "the completion was not posted");
});

for (const streams of [1, 4]) {
  t.test(
    `${streams} stream(s): a same-size rewrite with its mtime put back is caught by ctime (no re-hash)`,
    async (t) => {
      let rewritten = false;
      const s = await setup(t, {
        partBufferBytes: 0,
        streams,
        onPut: async (n, path) => {
          if (n !== 3) return;
          // Past the coarse clock's tick (≤ 10 ms), so the rewrite gets a ctime of its own.
          await new Promise((resolve) => setTimeout(resolve, 30));
          writeFileSync(path, noise(SIZE, 9)); // same size, same inode, other bytes
          utimesSync(path, FIXED_TIME, FIXED_TIME);
          rewritten = true;
        },
      });
      const before = statSync(join(s.ctx.localPath(s.file.path)), { bigint: true });
      await t.rejects(uploadMultipart(s.ctx, s.file, s.plan), { code: "ERR_FILE_CHANGED" });
      t.ok(rewritten, "the file was rewritten while its parts were sent");
      const after = statSync(s.ctx.localPath(s.file.path), { bigint: true });
      t.equal(String(after.mtimeNs), s.file.mtimeNs, "the mtime was put back exactly");
      t.equal(Number(after.size), s.file.size, "same size");
      t.equal(String(after.ino), s.file.inode, "same inode");
      t.not(String(after.ctimeNs), String(before.ctimeNs), "only ctime tells the rewrite");
      t.same(s.completions, [], "the completion was not posted");
    },
  );
}

t.test(
  "streamed parts over a slow link: the one reused slice buffer is never overwritten while the socket holds it",
  async (t) => {
    // 40 MB/s per connection: the kernel's socket buffers fill within the first MiBs, so slices
    // are still being written when the next would be read. A body that read ahead (the reused
    // buffer refilled early) would send some slices' bytes twice and others never, and the
    // emulator's sha256 check of the assembled parts would refuse the completion.
    const s = await setup(t, {
      partBufferBytes: 0,
      size: 24 * 1024 * KiB + 77,
      chunk: 8 * 1024 * KiB,
      link: "conn=40M",
    });
    await uploadMultipart(s.ctx, s.file, s.plan);
    t.same(s.completions, [s.file.sha256], "completed, the emulator accepted the assembled bytes");
  },
);
