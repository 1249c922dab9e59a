import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import t from "tap";
import { encodeCommit, encodeCommitStream } from "../../../core/hub/encode-commit.js";
import type { CommitOperation, StreamedContent } from "../../../core/hub/hub-client.js";
import { streamedFile } from "../../../core/stages/streamed-file.js";
import type { FileRecord } from "../../../storage/journal.js";

// Sizes around the 3-byte base64 groups and the encoder's 192 KiB slices.
const SIZES = [0, 1, 2, 3, 4, 5, 196_607, 196_608, 196_609, 393_217, 1_000_001];

async function collect(chunks: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of chunks) parts.push(c);
  return Buffer.concat(parts);
}

/** The journal's record of a file as the hash stage leaves it (stat + blob sha1 + sha256). */
function hashedRecord(id: number, abs: string, rel: string, content: Buffer): FileRecord {
  const st = statSync(abs, { bigint: true });
  return {
    id,
    jobId: 1,
    path: rel,
    state: "uploaded",
    size: content.length,
    mtimeNs: st.mtimeNs.toString(),
    ctimeNs: st.ctimeNs.toString(),
    inode: st.ino.toString(),
    sha256: createHash("sha256").update(content).digest("hex"),
    sha1: createHash("sha1").update(`blob ${content.length}\0`).update(content).digest("hex"),
    sample: null,
    uploadMode: "regular",
    remoteOid: null,
    commitId: null,
    attempts: 0,
    nextAttemptAt: null,
    lastError: null,
    hashCount: 1,
    updatedAt: 0,
  };
}

/** A content read in odd-sized pieces, so the encoder's carry-over between reads is exercised. */
function oddReads(content: Buffer, step: number): StreamedContent {
  return {
    size: content.length,
    async *read() {
      for (let at = 0; at < content.length; at += step) yield content.subarray(at, at + step);
    },
  };
}

t.test("a streamed commit body is byte-identical to the in-memory one for the same batch", async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), "hubpush-stream-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const held: CommitOperation[] = [];
  const fromDisk: CommitOperation[] = [];
  const odd: CommitOperation[] = [];
  SIZES.forEach((size, i) => {
    const content = randomBytes(size);
    const rel = `dïr/f${i}.bin`;
    const abs = path.join(dir, `f${i}.bin`);
    writeFileSync(abs, content);
    held.push({ kind: "file", path: rel, content });
    fromDisk.push({
      kind: "file",
      path: rel,
      content: streamedFile(abs, hashedRecord(i + 1, abs, rel, content)),
    });
    odd.push({ kind: "file", path: rel, content: oddReads(content, 7 + i) });
  });
  const others: CommitOperation[] = [
    { kind: "lfsFile", path: "big.bin", oid: "a".repeat(64), size: 123 },
    { kind: "deletedFile", path: "gone.txt" },
  ];
  const request = (operations: CommitOperation[]) => ({
    summary: "Ünïcode ✓",
    description: "d",
    parentCommit: "b".repeat(40),
    operations: [...operations, ...others],
  });
  const old = encodeCommit(request(held));
  const oldBody = Buffer.concat([...old.chunks()]);
  t.equal(oldBody.length, old.length, "the in-memory body has its announced length");
  for (const [name, ops] of [
    ["held buffers", held],
    ["files streamed from disk", fromDisk],
    ["odd-sized reads", odd],
  ] as const) {
    const streamed = encodeCommitStream(request(ops));
    t.equal(streamed.length, old.length, `${name}: same Content-Length`);
    const body = await collect(streamed.chunks());
    t.ok(body.equals(oldBody), `${name}: same bytes`);
  }
  // Each attempt to send reads the files again: a second body is the same too.
  t.ok(
    (await collect(encodeCommitStream(request(fromDisk)).chunks())).equals(oldBody),
    "a resend is identical",
  );
});

t.test("a file changed after it was hashed aborts the streamed body", async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), "hubpush-stream-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const abs = path.join(dir, "a.txt");
  const content = randomBytes(300_000);
  writeFileSync(abs, content);
  const record = hashedRecord(1, abs, "a.txt", content);
  // Same size and stat fields as recorded except the bytes: only the content check can see it.
  const tampered: FileRecord = { ...record, sha1: "0".repeat(40) };
  await t.rejects(
    collect(
      encodeCommitStream({
        summary: "s",
        operations: [{ kind: "file", path: "a.txt", content: streamedFile(abs, tampered) }],
      }).chunks(),
    ),
    { code: "ERR_FILE_CHANGED" },
  );
  // A shorter read than announced would send a body shorter than its Content-Length.
  const short: StreamedContent = {
    size: 10,
    read: async function* () {
      yield Buffer.from("12345");
    },
  };
  await t.rejects(
    collect(
      encodeCommitStream({
        summary: "s",
        operations: [{ kind: "file", path: "s", content: short }],
      }).chunks(),
    ),
    { code: "ERR_FILE_CHANGED" },
  );
  writeFileSync(abs, randomBytes(300_000));
  await t.rejects(
    collect(
      encodeCommitStream({
        summary: "s",
        operations: [{ kind: "file", path: "a.txt", content: streamedFile(abs, record) }],
      }).chunks(),
    ),
    { code: "ERR_FILE_CHANGED" },
    "a rewrite (new stat) is refused before a byte is read",
  );
});
