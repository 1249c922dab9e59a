import { createCipheriv, createHash } from "node:crypto";
import { join } from "node:path";
import { downloadFile } from "@huggingface/hub";
import t from "tap";
import { type RunningEmulator, startEmulator } from "../../emulator/start-emulator.js";
import { hashFromString, hashToString } from "../../xet/hash-string.js";
import { writeShard } from "../../xet/shard.js";
import { loadXetHasher } from "../../xet/xet-hasher.js";
import { XorbBuilder } from "../../xet/xorb.js";
import { readAccessLog } from "./fixtures/read-access-log.js";

/**
 * Downloads of a file whose terms use two separate chunk ranges of one xorb: the reconstruction
 * names one signed URL for the xorb with both ranges (as the real CAS does), the fetch route answers
 * a multi-range request with multipart/byteranges, and @huggingface/hub's Xet download reads it.
 */
const TOKEN = "hf_ranges_write";
const accessLog = join(t.testdir(), "access.jsonl");
let emu: RunningEmulator;

t.before(async () => {
  emu = await startEmulator({ tokens: [`${TOKEN}:write:user`], accessLog });
  const created = await fetch(`${emu.url}/api/repos/create`, {
    method: "POST",
    headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
    body: JSON.stringify({ name: "ranges", type: "model" }),
  });
  if (!created.ok) throw new Error(`create repo: ${created.status}`);
});
t.teardown(() => emu?.close());

const noise = (n: number, seed: number): Buffer =>
  createCipheriv("aes-256-ctr", createHash("sha256").update(`r${seed}`).digest(), Buffer.alloc(16)).update(
    Buffer.alloc(n),
  );
const sha = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");

interface Token {
  accessToken: string;
  casUrl: string;
}
async function token(scope: "read" | "write"): Promise<Token> {
  const res = await fetch(`${emu.url}/api/models/user/ranges/xet-${scope}-token/main`, {
    headers: { Authorization: `Bearer ${TOKEN}` },
  });
  return (await res.json()) as Token;
}

interface Span {
  start: number;
  end: number;
}
interface V2 {
  terms: { hash: string; range: Span }[];
  xorbs: Record<string, { url: string; ranges: { chunks: Span; bytes: Span }[] }[]>;
}
interface V1 {
  fetch_info: Record<string, { range: Span; url: string; url_range: Span }[]>;
}

/** Splits a multipart/byteranges body into its parts' bodies. */
function parts(body: Buffer, contentType: string): { range: string; data: Buffer }[] {
  const boundary = /boundary=([^;]+)/.exec(contentType)?.[1] ?? "";
  const out: { range: string; data: Buffer }[] = [];
  for (const piece of body.toString("latin1").split(`--${boundary}`).slice(1)) {
    if (piece.startsWith("--")) break;
    const split = piece.indexOf("\r\n\r\n");
    const head = piece.slice(0, split);
    const data = Buffer.from(piece.slice(split + 4).replace(/\r\n$/, ""), "latin1");
    out.push({ range: /Content-Range: (.*)/i.exec(head)?.[1]?.trim() ?? "", data });
  }
  return out;
}

t.test("two ranges of one xorb: one signed URL, a multipart fetch, @huggingface/hub reads it", async (t) => {
  const hasher = await loadXetHasher();
  const chunks = [noise(10_000, 1), noise(12_000, 2), noise(9_000, 3)];
  const hashes = chunks.map((c) => hasher.chunkHash(c));
  const builder = new XorbBuilder("none");
  for (const [i, c] of chunks.entries()) builder.tryAdd(hashes[i] as Uint8Array, c);
  const xorb = builder.build(hasher);
  const [a, , c] = chunks as [Buffer, Buffer, Buffer];
  const [ha, , hc] = hashes as [Uint8Array, Uint8Array, Uint8Array];
  const content = Buffer.concat([a, c]);
  const fileHash = hasher.fileHash([
    { hash: ha, length: a.length },
    { hash: hc, length: c.length },
  ]);
  let at = 0;
  const shard = writeShard({
    files: [
      {
        fileHash,
        terms: [
          {
            xorbHash: xorb.hash,
            unpackedBytes: a.length,
            start: 0,
            end: 1,
            verification: hasher.verificationHash([ha]),
          },
          {
            xorbHash: xorb.hash,
            unpackedBytes: c.length,
            start: 2,
            end: 3,
            verification: hasher.verificationHash([hc]),
          },
        ],
        sha256: hashFromString(sha(content)),
      },
    ],
    xorbs: [
      {
        hash: xorb.hash,
        chunks: chunks.map((d, i) => {
          const entry = { hash: hashes[i] as Uint8Array, start: at, length: d.length, flags: 0 };
          at += d.length;
          return entry;
        }),
        unpackedBytes: at,
        bytesOnDisk: xorb.body.length,
      },
    ],
  });
  const w = await token("write");
  const auth = { Authorization: `Bearer ${w.accessToken}` };
  const post = (path: string, body: Uint8Array) =>
    fetch(`${w.casUrl}${path}`, { method: "POST", headers: auth, body });
  t.equal((await post(`/v1/xorbs/default/${xorb.hashString}`, xorb.body)).status, 200);
  t.equal((await post("/v1/shards", shard)).status, 200);
  const fileText = hashToString(fileHash);

  const v2 = (await (
    await fetch(`${w.casUrl}/v2/reconstructions/${fileText}`, { headers: auth })
  ).json()) as V2;
  t.same(
    v2.terms.map((term) => term.range),
    [
      { start: 0, end: 1 },
      { start: 2, end: 3 },
    ],
  );
  const entries = v2.xorbs[xorb.hashString] ?? [];
  t.equal(entries.length, 1, "one fetch entry (one URL) for the xorb");
  const ranges = entries[0]?.ranges ?? [];
  const [c0, , c2] = xorb.chunks;
  t.same(
    ranges.map((r) => r.bytes),
    [
      { start: 0, end: (c0?.serializedLength ?? 0) - 1 },
      { start: c2?.offset, end: xorb.body.length - 1 },
    ],
    "both ranges, serialized bytes with inclusive ends",
  );
  const url = entries[0]?.url ?? "";
  const header = `bytes=${ranges.map((r) => `${r.bytes.start}-${r.bytes.end}`).join(",")}`;
  const multi = await fetch(url, { headers: { Range: header } });
  t.equal(multi.status, 206);
  const type = multi.headers.get("content-type") ?? "";
  t.match(type, /^multipart\/byteranges; boundary=/);
  const got = parts(Buffer.from(await multi.arrayBuffer()), type);
  t.same(
    got.map((p) => p.range),
    ranges.map((r) => `bytes ${r.bytes.start}-${r.bytes.end}/${xorb.body.length}`),
  );
  t.same(
    got.map((p) => sha(p.data)),
    ranges.map((r) => sha(xorb.body.subarray(r.bytes.start, r.bytes.end + 1))),
    "each part is its range's bytes",
  );
  const gap = `bytes=0-${(c2?.offset ?? 0) - 1}`;
  t.equal(
    (await fetch(url, { headers: { Range: gap } })).status,
    403,
    "the unsigned middle chunk is refused",
  );
  t.equal((await fetch(url, { headers: { Range: "bytes=zz" } })).status, 400, "a malformed Range");

  const v1 = (await (
    await fetch(`${w.casUrl}/v1/reconstructions/${fileText}`, { headers: auth })
  ).json()) as V1;
  const info = v1.fetch_info[xorb.hashString] ?? [];
  t.same(
    info.map((i) => i.url_range),
    ranges.map((r) => r.bytes),
    "v1: one fetch_info entry per range",
  );
  for (const i of info) {
    const one = await fetch(i.url, { headers: { Range: `bytes=${i.url_range.start}-${i.url_range.end}` } });
    t.equal(one.status, 206);
    t.equal(
      one.headers.get("content-range"),
      `bytes ${i.url_range.start}-${i.url_range.end}/${xorb.body.length}`,
    );
    await one.arrayBuffer();
  }

  const commit = await fetch(`${emu.url}/api/models/user/ranges/commit/main`, {
    method: "POST",
    headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/x-ndjson" },
    body: [
      JSON.stringify({ key: "header", value: { summary: "two ranges" } }),
      JSON.stringify({
        key: "lfsFile",
        value: { path: "gap.bin", algo: "sha256", oid: sha(content), size: content.length },
      }),
    ].join("\n"),
  });
  t.equal(commit.status, 200);
  const before = (await readAccessLog(accessLog)).length;
  const blob = await downloadFile({
    hubUrl: emu.url,
    accessToken: TOKEN,
    repo: { type: "model", name: "user/ranges" },
    path: "gap.bin",
  });
  t.equal(
    sha(Buffer.from(await (blob as Blob).arrayBuffer())),
    sha(content),
    "@huggingface/hub reads it back",
  );
  const fetches = (await readAccessLog(accessLog)).slice(before).filter((e) => e.route === "xet-fetch");
  t.same(
    fetches.map((e) => [e.status, e.oid]),
    [[206, xorb.hashString]],
    "through one multi-range fetch of the xorb",
  );
});
