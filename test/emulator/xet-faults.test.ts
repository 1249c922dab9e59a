import { createCipheriv, createHash } from "node:crypto";
import { join } from "node:path";
import { createRepo, downloadFile, uploadFiles } from "@huggingface/hub";
import t, { type Test } from "tap";
import { type RunningEmulator, startEmulator } from "../../emulator/start-emulator.js";
import { type AccessLogEntry, readAccessLog } from "./fixtures/read-access-log.js";

/**
 * Fault rules on the CAS routes hit a Xet client we did not write. @huggingface/hub 2.17.5 retries
 * nothing during a Xet upload (xet-protocol.md §6), so: a 503, a reset or a lost answer on a xorb or
 * shard fails its upload call and no commit lands; the same call again succeeds, and a xorb whose
 * answer was lost is not stored twice. Latency only slows the xorb requests down. The access log
 * names the xorb and shard hashes and the fault that fired.
 */
const TOKEN = "hf_faults_write";
const accessLog = join(t.testdir(), "access.jsonl");
let emu: RunningEmulator;
let hub: { hubUrl: string; accessToken: string };

t.before(async () => {
  emu = await startEmulator({ tokens: [`${TOKEN}:write:user`], accessLog, lfsThresholdBytes: 0 });
  hub = { hubUrl: emu.url, accessToken: TOKEN };
});
t.teardown(() => emu?.close());

const noise = (n: number, seed: number): Buffer =>
  createCipheriv("aes-256-ctr", createHash("sha256").update(`f${seed}`).digest(), Buffer.alloc(16)).update(
    Buffer.alloc(n),
  );
const sha = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");
const MiB = 1024 * 1024;

async function upload(repo: string, content: Buffer): Promise<void> {
  await uploadFiles({
    ...hub,
    repo: { type: "model", name: repo },
    useXet: true,
    files: [{ path: "data.bin", content: new Blob([content]) }],
  });
}

async function logSince(count: number): Promise<AccessLogEntry[]> {
  return (await readAccessLog(accessLog)).slice(count);
}

async function committed(repo: string): Promise<string | null> {
  const res = await fetch(`${emu.url}/${repo}/resolve/main/data.bin`);
  return res.ok ? sha(Buffer.from(await res.arrayBuffer())) : null;
}

/** One failing upload under `spec`, then the same call again without faults. */
async function failThenRecover(
  t: Test,
  repo: string,
  spec: string,
  route: string,
  between: (failing: AccessLogEntry[]) => Promise<void> = async () => {},
): Promise<{ failing: AccessLogEntry[]; retry: AccessLogEntry[] }> {
  await createRepo({ ...hub, repo: { type: "model", name: repo } });
  const content = noise(3 * MiB, repo.length);
  let mark = (await readAccessLog(accessLog)).length;
  emu.setFaults(spec);
  await t.rejects(upload(repo, content), `${spec}: the upload call fails (the client retries nothing)`);
  emu.setFaults("");
  const failing = await logSince(mark);
  const hit = failing.filter((e) => e.route === route && e.fault !== null);
  t.equal(hit.length, 1, `${spec}: the rule fired once on ${route}`);
  // A xorb's hash is in its URL; a shard's (the SHA-256 of its bytes) is known once its body is read.
  if (route === "xet-xorb") t.match(hit[0]?.oid, /^[0-9a-f]{64}$/, "the log line names the xorb hash");
  t.notOk(
    failing.some((e) => e.route === "commit"),
    "no commit was attempted",
  );
  t.equal(await committed(repo), null, "nothing landed");
  await between(failing);
  mark = (await readAccessLog(accessLog)).length;
  await upload(repo, content);
  const retry = await logSince(mark);
  t.equal(await committed(repo), sha(content), "the same call again commits the file");
  return { failing, retry };
}

t.test("a 503 on a xorb upload fails the call; the next call succeeds", async (t) => {
  const { failing } = await failThenRecover(
    t,
    "user/x503",
    "route=xet-xorb,kind=status,status=503,count=1",
    "xet-xorb",
  );
  t.same(
    failing.filter((e) => e.route === "xet-xorb").map((e) => e.status),
    [503],
    "one xorb request, answered 503",
  );
});

t.test("a reset on the shard upload fails the call; the next call succeeds", async (t) => {
  const { failing, retry } = await failThenRecover(
    t,
    "user/shardreset",
    "route=xet-shard,kind=reset,count=1",
    "xet-shard",
  );
  t.ok(
    failing.some((e) => e.route === "xet-xorb" && e.status === 200),
    "the xorbs were stored before the shard failed",
  );
  const shard = retry.find((e) => e.route === "xet-shard");
  t.match(shard?.oid, /^[0-9a-f]{64}$/, "the retried shard's log line names its hash");
});

t.test("a lost answer on a xorb: it is stored all the same, and posted again harmlessly", async (t) => {
  const headXorb = async (hash: string | null | undefined): Promise<number> => {
    const tok = (await (
      await fetch(`${emu.url}/api/models/user/xlost/xet-read-token/main`, {
        headers: { Authorization: `Bearer ${TOKEN}` },
      })
    ).json()) as { accessToken: string; casUrl: string };
    const res = await fetch(`${tok.casUrl}/v1/xorbs/default/${hash}`, {
      method: "HEAD",
      headers: { Authorization: `Bearer ${tok.accessToken}` },
    });
    return res.status;
  };
  let lostHash: string | null | undefined;
  const { retry } = await failThenRecover(
    t,
    "user/xlost",
    "route=xet-xorb,kind=lost,count=1",
    "xet-xorb",
    async (failing) => {
      lostHash = failing.find((e) => e.route === "xet-xorb" && e.fault === "lost")?.oid;
      t.equal(await headXorb(lostHash), 200, "the xorb whose answer was lost is stored");
    },
  );
  const again = retry.filter((e) => e.route === "xet-xorb" && e.method === "POST" && e.oid === lostHash);
  t.same(
    again.map((e) => e.status),
    [200],
    "the retry posts it again and is answered 200 (was_inserted false)",
  );
});

t.test("latency on the xorb route slows the upload but it succeeds", async (t) => {
  await createRepo({ ...hub, repo: { type: "model", name: "user/slow" } });
  const content = noise(2 * MiB, 77);
  const mark = (await readAccessLog(accessLog)).length;
  emu.setFaults("route=xet-xorb,kind=latency,ms=400");
  t.teardown(() => emu.setFaults(""));
  await upload("user/slow", content);
  const xorbs = (await logSince(mark)).filter((e) => e.route === "xet-xorb" && e.method === "POST");
  t.ok(xorbs.length > 0, "xorbs were posted");
  t.ok(
    xorbs.every((e) => e.durationMs >= 400 && e.fault === "latency"),
    `each xorb request waited ≥ 400 ms (${xorbs.map((e) => e.durationMs).join(", ")})`,
  );
  const back = await downloadFile({ ...hub, repo: { type: "model", name: "user/slow" }, path: "data.bin" });
  t.equal(sha(Buffer.from(await (back as Blob).arrayBuffer())), sha(content), "and reads back identical");
});
