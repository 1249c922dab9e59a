import { createHash } from "node:crypto";
import { readdirSync, readlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import t from "tap";
import { chunkCount, hashedLengths } from "../../../core/xet/packed-chunks.js";
import { runXetPass, XORB_TARGET_BYTES } from "../../../core/xet/xet-file-pass.js";
import { chunkBuffer } from "../../../xet/chunker.js";
import { hashToString } from "../../../xet/hash-string.js";
import { loadXetHasher } from "../../../xet/xet-hasher.js";
import { noise } from "../../helpers/noise.js";

const MiB = 1024 * 1024;

/**
 * The pass reads 1 MiB at a time and chunks each read from the last cut (the carried unfinished
 * chunk, then the new bytes) with the chunker reset at every read: its chunks must be exactly those
 * of the whole file chunked at once, for every way a chunk can straddle reads (a short file, a
 * file of whole reads, zero runs cut only at the 128 KiB maximum, random bytes), with pooled
 * (reused) read buffers and with fresh ones.
 */
t.test("the pass's chunks are the whole file's CDC chunks, whatever the read boundaries", async (t) => {
  const dir = t.testdir();
  const hasher = await loadXetHasher();
  const files: Record<string, Buffer> = {
    "empty.bin": Buffer.alloc(0),
    "short.bin": noise(100, 1),
    "two-reads.bin": noise(2 * MiB, 2),
    "random.bin": noise(3 * MiB + 12_345, 3),
    "zeros.bin": Buffer.concat([noise(MiB - 70_000, 4), Buffer.alloc(2 * MiB + 5), noise(300_000, 5)]),
  };
  for (const [name, bytes] of Object.entries(files)) {
    const absolute = join(dir, name);
    writeFileSync(absolute, bytes);
    const want = chunkBuffer(bytes).map((c) => `${c.length}:${hashToString(hasher.chunkHash(c))}`);
    for (const pooled of [false, true]) {
      const result = await runXetPass({
        absolute,
        file: { path: name, size: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex") },
        hasher,
        compression: "auto",
        lookup: () => null,
        query: async () => false,
        onXorb: async () => {},
        ...(pooled ? { xorbBuffer: async () => new Uint8Array(XORB_TARGET_BYTES) } : {}),
        signal: new AbortController().signal,
      });
      const got = hashedLengths(result.chunks).map((c) => `${c.length}:${hashToString(c.hash)}`);
      t.equal(
        chunkCount(result.chunks),
        want.length,
        `${name}${pooled ? " (pooled reads)" : ""}: chunk count`,
      );
      t.same(got, want, `${name}${pooled ? " (pooled reads)" : ""}: same chunks as chunkBuffer`);
    }
  }
});

t.test("a pass stopped mid-xorb leaves no spool file open", async (t) => {
  const dir = t.testdir();
  const hasher = await loadXetHasher();
  const bytes = noise(12 * MiB, 6);
  const absolute = join(dir, "f.bin");
  writeFileSync(absolute, bytes);
  const spoolDir = join(dir, "spool");
  const controller = new AbortController();
  let lookups = 0;
  const run = runXetPass({
    absolute,
    file: { path: "f.bin", size: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex") },
    hasher,
    compression: "auto",
    // Stop once a few segments are spooled (≈ 6 MiB read): the xorb is still building.
    lookup: () => {
      if (++lookups === 100) controller.abort(new Error("paused"));
      return null;
    },
    query: async () => false,
    onXorb: async () => {},
    xorbBuffer: async () => new Uint8Array(XORB_TARGET_BYTES),
    spoolDir,
    signal: controller.signal,
  });
  await t.rejects(run, { message: "paused" });
  t.ok(readdirSync(spoolDir).length > 0, "segments were spooled before the stop");
  const open = readdirSync("/proc/self/fd").filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`).startsWith(spoolDir);
    } catch {
      return false;
    }
  });
  t.same(open, [], "no descriptor left on the spool file");
});
