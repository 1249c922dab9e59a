import t from "tap";
import { type RunningEmulator, startEmulator } from "../../emulator/start-emulator.js";
import { SHARD_FOOTER_BYTES, SHARD_MAX_BYTES } from "../../xet/shard.js";

/**
 * The CAS's shard size limit (§5.8: 64 MiB, "the shard is too large" → 400; the optional 200-byte
 * footer on top, as @huggingface/hub budgets it) and the not-modelled `/v2/file-chunk-hashes` (§6:
 * optional; the emulator answers 404 with a body that says so), and the xorb limit (§4.6): a full
 * 64 MiB xorb as the client spools it is stored, a body over 64 MiB + 8 × 8,192 (+ footer room) is a 400.
 */
const TOKEN = "hf_shard_limit_write";
let emu: RunningEmulator;
let cas: { casUrl: string; accessToken: string };

t.before(async () => {
  emu = await startEmulator({ tokens: [`${TOKEN}:write:user`] });
  const headers = { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" };
  const created = await fetch(`${emu.url}/api/repos/create`, {
    method: "POST",
    headers,
    body: JSON.stringify({ name: "limit", type: "model" }),
  });
  if (!created.ok) throw new Error(`create repo: ${created.status}`);
  const res = await fetch(`${emu.url}/api/models/user/limit/xet-write-token/main`, { headers });
  cas = (await res.json()) as typeof cas;
});
t.teardown(() => emu?.close());

async function postShard(bytes: number): Promise<{ status: number; body: { error?: string } }> {
  const res = await fetch(`${cas.casUrl}/v1/shards`, {
    method: "POST",
    headers: { Authorization: `Bearer ${cas.accessToken}` },
    body: new Uint8Array(bytes),
  });
  return { status: res.status, body: (await res.json()) as { error?: string } };
}

t.test("a shard over 64 MiB plus the footer is refused with a precise 400", async (t) => {
  const limit = SHARD_MAX_BYTES + SHARD_FOOTER_BYTES;
  t.equal(limit, 64 * 1024 * 1024 + 200);
  const over = await postShard(limit + 1);
  t.equal(over.status, 400);
  t.match(over.body.error ?? "", `The shard is too large: ${limit + 1} bytes (limit ${limit}`);
  t.match(over.body.error ?? "", /must split/, "it says what the client must do");
  // At the limit the size passes; these zeros then fail as what they are: not a shard.
  const at = await postShard(limit);
  t.equal(at.status, 400);
  t.match(at.body.error ?? "", /Not a shard/, "exactly at the limit: refused for its content, not its size");
});

t.test("/v2/file-chunk-hashes is not modelled: 404 that says so", async (t) => {
  const hash = "ab".repeat(32);
  const res = await fetch(`${cas.casUrl}/v2/file-chunk-hashes/${hash}`, {
    headers: { Authorization: `Bearer ${cas.accessToken}`, "X-Range-Dirty": "bytes=0-99" },
  });
  t.equal(res.status, 404);
  t.equal(res.headers.get("x-error-code"), "NotModelled");
  const body = (await res.json()) as { error?: string };
  t.match(body.error ?? "", /file-chunk-hashes\/(ab){32} is not modelled by this emulator/);
  t.match(body.error ?? "", /upload the whole file/);
  const anonymous = await fetch(`${cas.casUrl}/v2/file-chunk-hashes/${hash}`);
  t.equal(anonymous.status, 401, "the token is checked first, as on every CAS route");
});

t.test(
  "a full 64 MiB xorb as hubpush spools it is stored; a body over the §4.6 tolerance is a 400",
  async (t) => {
    const { loadXetHasher } = await import("../../xet/xet-hasher.js");
    const { SpooledXorbBuilder, xorbPieces } = await import("../../core/xet/xorb-spool.js");
    const { XORB_MAX_BYTES, XORB_MAX_CHUNKS } = await import("../../xet/xorb.js");
    const { noise } = await import("../helpers/noise.js");
    const { join } = await import("node:path");
    const hasher = await loadXetHasher();
    const builder = new SpooledXorbBuilder("none", hasher, {
      segmentBytes: 8 * 1024 * 1024,
      path: join(t.testdir(), "x.xorb"),
    });
    // 128 KiB chunks of noise (stored raw): 511 fit in 8 segments of 8 MiB.
    const chunk = 128 * 1024;
    const data = noise(chunk * 520, 5);
    for (let i = 0; ; i++) {
      const piece = data.subarray(i * chunk, (i + 1) * chunk);
      if ((await builder.add(hasher.chunkHash(piece), piece)) < 0) break;
    }
    const xorb = await builder.build();
    const parts: Uint8Array[] = [];
    for await (const p of xorbPieces(xorb).pieces()) parts.push(Buffer.from(p));
    const body = Buffer.concat(parts);
    t.ok(
      body.length > 63 * 1024 * 1024 && body.length <= XORB_MAX_BYTES,
      `${body.length} bytes: a full xorb`,
    );
    const stored = await fetch(`${cas.casUrl}/v1/xorbs/default/${xorb.hashString}`, {
      method: "POST",
      headers: { Authorization: `Bearer ${cas.accessToken}` },
      body,
    });
    t.equal(stored.status, 200, "the CAS stores it");
    t.same(await stored.json(), { was_inserted: true });
    const limit = XORB_MAX_BYTES + 8 * XORB_MAX_CHUNKS + 1024 * 1024;
    const over = await fetch(`${cas.casUrl}/v1/xorbs/default/${"cd".repeat(32)}`, {
      method: "POST",
      headers: { Authorization: `Bearer ${cas.accessToken}` },
      body: new Uint8Array(limit + 1),
    });
    t.equal(over.status, 400);
    t.match(
      ((await over.json()) as { error?: string }).error ?? "",
      `The xorb is too large: ${limit + 1} bytes`,
    );
  },
);
