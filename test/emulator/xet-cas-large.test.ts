import { createHash, randomBytes } from "node:crypto";
import t from "tap";
import { POOL_FROM_BYTES } from "../../emulator/read-pooled-body.js";
import { type RunningEmulator, startEmulator } from "../../emulator/start-emulator.js";
import { chunkBuffer } from "../../xet/chunker.js";
import { sha256HexToRaw } from "../../xet/hash-string.js";
import { type ShardTerm, writeShard } from "../../xet/shard.js";
import { loadXetHasher } from "../../xet/xet-hasher.js";
import { XorbBuilder, type XorbChunk } from "../../xet/xorb.js";

/**
 * The CAS with xorbs of megabytes (the emulator reads those into reused buffers, and the LFS bridge
 * reads stored xorbs back into them): several at once, more than the buffers it keeps; a corrupt
 * or truncated one among them gets its precise 400 and leaves nothing behind for the next; the
 * file registered from them resolves byte for byte.
 */
const TOKEN = "hf_big_write";
const MiB = 1024 * 1024;
let emu: RunningEmulator;

t.before(async () => {
  emu = await startEmulator({ tokens: [`${TOKEN}:write:user`] });
  const created = await fetch(`${emu.url}/api/repos/create`, {
    method: "POST",
    headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
    body: JSON.stringify({ name: "big", type: "model" }),
  });
  if (!created.ok) throw new Error(`create repo: ${created.status}`);
});
t.teardown(() => emu?.close());

interface Built {
  readonly raw: Uint8Array;
  readonly hash: string;
  readonly body: Uint8Array;
  readonly chunks: readonly XorbChunk[];
}

/** Random bytes and runs of a repeated float pattern, so xorbs hold raw and LZ4 chunks. */
function mixedData(size: number): Buffer {
  const data = randomBytes(size);
  const pattern = Buffer.alloc(4096);
  for (let i = 0; i < 1024; i++) pattern.writeFloatLE(Math.sin(i / 10), 4 * i);
  for (let at = 0; at + 512 * 1024 <= size; at += 1024 * 1024)
    for (let k = 0; k < 128; k++) pattern.copy(data, at + 4096 * k);
  return data;
}

async function buildXorbs(data: Uint8Array, maxBytes: number): Promise<Built[]> {
  const hasher = await loadXetHasher();
  const out: Built[] = [];
  let b = new XorbBuilder("auto", { maxBytes });
  const finish = () => {
    const x = b.build(hasher);
    out.push({ raw: x.hash, hash: x.hashString, body: x.body, chunks: x.chunks });
  };
  for (const chunk of chunkBuffer(data)) {
    const h = hasher.chunkHash(chunk);
    if (b.tryAdd(h, chunk) < 0) {
      finish();
      b = new XorbBuilder("auto", { maxBytes });
      b.tryAdd(h, chunk);
    }
  }
  finish();
  return out;
}

async function casToken(): Promise<{ accessToken: string; casUrl: string }> {
  const res = await fetch(`${emu.url}/api/models/user/big/xet-write-token/main`, {
    headers: { Authorization: `Bearer ${TOKEN}` },
  });
  return (await res.json()) as { accessToken: string; casUrl: string };
}

async function post(
  tok: { accessToken: string; casUrl: string },
  path: string,
  body: Uint8Array,
): Promise<{ status: number; text: string }> {
  const res = await fetch(`${tok.casUrl}${path}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${tok.accessToken}` },
    body,
  });
  return { status: res.status, text: await res.text() };
}

t.test("megabyte xorbs: at once, corrupt among good, registered and resolved", async (t) => {
  const hasher = await loadXetHasher();
  const tok = await casToken();
  const data = mixedData(12 * MiB);
  const xorbs = await buildXorbs(data, MiB);
  t.ok(xorbs.length >= 6, `more xorbs than the emulator keeps buffers for (${xorbs.length})`);
  t.ok(
    xorbs.slice(0, -1).every((x) => x.body.length >= POOL_FROM_BYTES),
    "every xorb is big enough for the pooled path",
  );
  const first = xorbs[0] as Built;
  const raw = first.chunks.find((c) => c.serializedLength - 8 === c.length) as XorbChunk;
  t.ok(raw, "the first xorb holds an uncompressed chunk");

  // A flipped byte in one chunk's data: its hash changes, so the xorb hash does.
  const flipped = Buffer.from(first.body);
  flipped[raw.offset + 8 + 100] = ((flipped[raw.offset + 8 + 100] as number) + 1) & 0xff;
  const truncated = first.body.subarray(0, first.body.length - 100);
  const [bad, cut] = await Promise.all([
    post(tok, `/v1/xorbs/default/${first.hash}`, flipped),
    post(tok, `/v1/xorbs/default/${first.hash}`, truncated),
  ]);
  t.equal(bad.status, 400, "a corrupt chunk: 400");
  t.match(bad.text, /chunks hash to [0-9a-f]{64}, not to/, "... saying which hash it got");
  t.equal(cut.status, 400, "a truncated xorb: 400");
  t.match(cut.text, /Truncated chunk data/, "... saying where");

  // All xorbs at once, the first twice: each is stored once.
  const answers = await Promise.all(
    [...xorbs, first].map((x) => post(tok, `/v1/xorbs/default/${x.hash}`, x.body)),
  );
  t.same(
    answers.map((a) => a.status),
    answers.map(() => 200),
  );
  const inserted = answers.map((a) => (JSON.parse(a.text) as { was_inserted: boolean }).was_inserted);
  t.equal(inserted.filter((x) => x).length, xorbs.length, "each xorb inserted once");

  const sha256 = createHash("sha256").update(data).digest("hex");
  const terms: ShardTerm[] = xorbs.map((x) => ({
    xorbHash: x.raw,
    unpackedBytes: x.chunks.reduce((n, c) => n + c.length, 0),
    start: 0,
    end: x.chunks.length,
    verification: hasher.verificationHash(x.chunks.map((c) => c.hash)),
  }));
  const fileHash = hasher.fileHash(xorbs.flatMap((x) => x.chunks));
  const shardFor = (sha: string) =>
    writeShard({ files: [{ fileHash, terms, sha256: sha256HexToRaw(sha) }], xorbs: [] });

  const wrong = await post(tok, "/v1/shards", shardFor("ab".repeat(32)));
  t.equal(wrong.status, 400, "the SHA-256 of the reconstructed megabytes is checked");
  t.match(wrong.text, new RegExp(`reconstructed bytes hash to ${sha256}`));
  t.same(JSON.parse((await post(tok, "/v1/shards", shardFor(sha256))).text), { result: 1 });

  const commit = await fetch(`${emu.url}/api/models/user/big/commit/main`, {
    method: "POST",
    headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/x-ndjson" },
    body: [
      JSON.stringify({ key: "header", value: { summary: "big via xet" } }),
      JSON.stringify({
        key: "lfsFile",
        value: { path: "big.bin", algo: "sha256", oid: sha256, size: data.length },
      }),
    ].join("\n"),
  });
  t.equal(commit.status, 200, "commit of the lfsFile line");
  const back = Buffer.from(await (await fetch(`${emu.url}/user/big/resolve/main/big.bin`)).arrayBuffer());
  t.equal(back.length, data.length);
  t.ok(back.equals(data), "resolve serves the file byte for byte");
});
