import t from "tap";
import { type RunningEmulator, startEmulator } from "../../emulator/start-emulator.js";
import { SHARD_FOOTER_BYTES, SHARD_MAX_BYTES } from "../../xet/shard.js";

/**
 * The CAS's shard size limit (§5.8: 64 MiB, "the shard is too large" → 400; the optional 200-byte
 * footer on top, as @huggingface/hub budgets it) and the not-modelled `/v2/file-chunk-hashes` (§6:
 * optional; the emulator answers 404 with a body that says so).
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
