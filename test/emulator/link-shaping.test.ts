import { randomBytes } from "node:crypto";
import t, { type Test } from "tap";
import type { RunningEmulator } from "../../emulator/start-emulator.js";
import { createRepo, http, type LfsBatchObject, lfsBatch, sha256, startTestEmulator } from "./helpers.js";

// `--link` on a real emulator (port 0) carrying real LFS uploads: the rates hold within 10 %.
// The ±10 % check reads the shaper's own byte clock (when bytes reached the HTTP server). Not
// faster than the cap + 10 %: plain time, which load can only lengthen. Not slower than the cap
// - 10 %: the same time less the link's stalls (> 5 ms with no byte to forward), because on a
// loaded 2-core machine the sender (the test's client shares this process) can stall for CPU.
// The client's end-to-end time must agree that the cap was never beaten.
const MiB = 1024 * 1024;
const RATE = 16_000_000; // "16M": decimal, bytes per second

/** Presigned basic upload URL for `content` (no bytes sent yet). */
async function uploadUrl(emu: RunningEmulator, repo: string, content: Buffer): Promise<string> {
  const batch = await lfsBatch(emu.url, repo, [{ oid: sha256(content), size: content.length }]);
  t.equal(batch.status, 200, "lfs batch accepted");
  const href = batch.json<{ objects: LfsBatchObject[] }>().objects[0]?.actions?.upload.href;
  if (href === undefined) throw new Error(`no upload action: ${batch.text}`);
  return href;
}

type Clock = { bytes: number; lastAt: number; stalledMs: number };

/** The upload direction's byte clock now: bytes delivered, when the last one was, stalls so far. */
function upClock(emu: RunningEmulator): Clock {
  const up = emu.linkStats()?.up;
  if (!up || up.lastAt === null) throw new Error("the link carried nothing");
  return { bytes: up.bytes, lastAt: up.lastAt, stalledMs: up.stalledMs };
}

/**
 * Bytes/s delivered between two readings: `rate` on plain time, `paced` without the stalls. The
 * first reading follows the batch request, whose last byte reached the server just before the
 * upload's first.
 */
function rateBetween(a: Clock, b: Clock): { rate: number; paced: number; bytes: number } {
  const bytes = b.bytes - a.bytes;
  const ms = b.lastAt - a.lastAt;
  return { rate: bytes / (ms / 1000), paced: bytes / ((ms - (b.stalledMs - a.stalledMs)) / 1000), bytes };
}

function assertWithin10(t: Test, rate: number, paced: number): void {
  t.ok(rate <= RATE * 1.1, `shaper byte clock ${(rate / 1e6).toFixed(2)} MB/s ≤ 16 + 10 %`);
  t.ok(paced >= RATE * 0.9, `shaper byte clock less stalls ${(paced / 1e6).toFixed(2)} MB/s ≥ 16 - 10 %`);
}

t.test("conn caps one connection: 64 MiB at 16 MB/s", async (t) => {
  const emu = await startTestEmulator(t, { link: `conn=16M`, multipartThresholdBytes: 1024 * MiB });
  t.equal((await createRepo(emu.url, "user/link")).status, 200);
  const content = randomBytes(64 * MiB);
  const href = await uploadUrl(emu, "user/link", content);
  const before = upClock(emu);
  const started = performance.now();
  const put = await http(emu.url, href, { method: "PUT", body: content, token: null });
  const seconds = (performance.now() - started) / 1000;
  t.equal(put.status, 200, "the upload is stored");
  const { rate, paced, bytes } = rateBetween(before, upClock(emu));
  t.ok(bytes >= content.length, "every byte went through the link");
  assertWithin10(t, rate, paced);
  const endToEnd = content.length / seconds;
  t.ok(endToEnd <= RATE * 1.1, `end to end ${(endToEnd / 1e6).toFixed(2)} MB/s does not beat the cap`);
});

t.test("total caps every connection together: 2 × 32 MiB at 16 MB/s", async (t) => {
  const emu = await startTestEmulator(t, { link: "total=16M", multipartThresholdBytes: 1024 * MiB });
  t.equal((await createRepo(emu.url, "user/link")).status, 200);
  const contents = [randomBytes(32 * MiB), randomBytes(32 * MiB)];
  const hrefs = await Promise.all(contents.map((c) => uploadUrl(emu, "user/link", c)));
  const before = upClock(emu);
  const started = performance.now();
  const puts = await Promise.all(
    contents.map((body, i) => http(emu.url, hrefs[i] ?? "", { method: "PUT", body, token: null })),
  );
  const seconds = (performance.now() - started) / 1000;
  t.same(
    puts.map((p) => p.status),
    [200, 200],
  );
  const stats = emu.linkStats();
  t.ok((stats?.peakConnections ?? 0) >= 2, `two connections at once (${stats?.peakConnections})`);
  const { rate, paced } = rateBetween(before, upClock(emu));
  assertWithin10(t, rate, paced);
  const endToEnd = (64 * MiB) / seconds;
  t.ok(endToEnd <= RATE * 1.1, `end to end ${(endToEnd / 1e6).toFixed(2)} MB/s does not beat the cap`);
});

t.test("rtt delays every request by at least a round trip", async (t) => {
  const emu = await startTestEmulator(t, { link: "rtt=150" });
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    const res = await http(emu.url, "/api/whoami-v2");
    const ms = performance.now() - started;
    t.equal(res.status, 200);
    t.ok(ms >= 150, `request ${i + 1} took ${ms.toFixed(0)} ms ≥ 150`);
  }
});

t.test("a bad link spec stops the emulator from starting", async (t) => {
  await t.rejects(startTestEmulator(t, { link: "conn=fast" }), { message: /Invalid link spec "conn=fast"/ });
});
