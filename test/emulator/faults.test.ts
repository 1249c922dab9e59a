import { join } from "node:path";
import t from "tap";
import { request } from "undici";
import { type RunningEmulator, startEmulator } from "../../emulator/start-emulator.js";
import { headerOf, RawHub } from "./fixtures/raw-hub.js";
import type { AccessLogEntry } from "./fixtures/read-access-log.js";
import { waitForAccessLog } from "./fixtures/wait-for-access-log.js";

// Each fault kind of the SPEC grammar, observed from the outside with raw HTTP.
const TOKEN = "hf_faults_write";
const REPO = "user/faults";
const accessLog = join(t.testdir(), "access.jsonl");
let emu: RunningEmulator;
let raw: RawHub;
const bigText = Buffer.from("0123456789abcdef".repeat(4096)); // 64 KiB, regular

t.before(async () => {
  emu = await startEmulator({ tokens: [TOKEN], accessLog });
  raw = new RawHub(emu.url, TOKEN);
  const created = await raw.createRepo(REPO);
  const seeded = await raw.commitFiles(REPO, [{ path: "big.txt", content: bigText }]);
  if (created.status !== 200 || seeded.status !== 200) {
    throw new Error(`setup failed: create ${created.status}, commit ${seeded.status} ${seeded.body}`);
  }
});
t.teardown(async () => {
  await raw?.close();
  await emu?.close();
});

/** undici's "other side closed" (UND_ERR_SOCKET), or the kernel's view of a dead peer. */
const SOCKET_ERROR = { code: /^(UND_ERR_SOCKET|ECONNRESET|EPIPE)$/ };

function jsonOf(body: Buffer): Record<string, unknown> {
  return JSON.parse(body.toString("utf8")) as Record<string, unknown>;
}

/** The access-log entry of `route` that names `fault`, once it has been written (each is used once here). */
async function loggedFault(route: string, fault: string) {
  const match = (e: AccessLogEntry) => e.route === route && e.fault === fault;
  return (await waitForAccessLog(accessLog, (all) => all.some(match))).find(match);
}

t.test("status: the route answers the configured status with the §8.1 error shape", async (t) => {
  const preupload = () =>
    raw.sendJson("POST", `/api/models/${REPO}/preupload/main`, {
      files: [{ path: "a.txt", sample: "", size: 0 }],
    });
  emu.setFaults("route=preupload,kind=status,status=503");
  const res = await preupload();
  t.equal(res.status, 503);
  t.match(headerOf(res, "content-type"), /^application\/json/);
  t.match(jsonOf(res.body).error, /\S/, "JSON body with a non-empty error");
  t.ok(headerOf(res, "x-error-message"), "X-Error-Message");
  t.ok(headerOf(res, "x-request-id"), "X-Request-Id");
  t.equal((await raw.send("GET", "/api/whoami-v2")).status, 200, "other routes unaffected");
  emu.setFaults("");
  const healed = await preupload();
  t.equal(healed.status, 200, "healed once the rule is removed");
  t.match(jsonOf(healed.body), { files: [{ path: "a.txt", uploadMode: "regular", shouldIgnore: false }] });
});

t.test("faults given at start apply from the first request", async (t) => {
  const started = await startEmulator({ tokens: [TOKEN], faults: "route=whoami,kind=status,status=502" });
  t.teardown(() => started.close());
  const res = await request(`${started.url}/api/whoami-v2`, {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  await res.body.dump();
  t.equal(res.statusCode, 502);
});

t.test("ratelimit: 429 with Retry-After and RateLimit headers", async (t) => {
  emu.setFaults("route=whoami,kind=ratelimit,retry-after=7");
  const res = await raw.send("GET", "/api/whoami-v2");
  emu.setFaults("");
  t.equal(res.status, 429);
  t.equal(headerOf(res, "retry-after"), "7");
  t.match(headerOf(res, "ratelimit"), /\br=0\b/, "RateLimit says no requests remain");
  t.match(headerOf(res, "ratelimit"), /\bt=7\b/, "RateLimit resets when Retry-After says");
  t.ok(headerOf(res, "ratelimit-policy"), "RateLimit-Policy");
  t.match(jsonOf(res.body).error, /\S/);
});

t.test("latency: the answer still arrives, and the log names the fault", async (t) => {
  emu.setFaults("route=whoami,kind=latency,ms=30");
  const res = await raw.send("GET", "/api/whoami-v2");
  emu.setFaults("");
  t.equal(res.status, 200);
  t.match(jsonOf(res.body), { name: "user" });
  t.match(await loggedFault("whoami", "latency"), { status: 200 });
});

t.test("reset: the socket dies before the commit is applied", async (t) => {
  const before = await raw.headSha(REPO);
  emu.setFaults("route=commit,kind=reset");
  await t.rejects(
    raw.commitFiles(REPO, [{ path: "reset.txt", content: Buffer.from("never") }]),
    SOCKET_ERROR,
    "a socket error, not an HTTP answer",
  );
  emu.setFaults("");
  t.equal(await raw.headSha(REPO), before, "head unchanged");
  t.same(await raw.existingPaths(REPO, ["reset.txt"]), [], "the file did not land");
  t.match(await loggedFault("commit", "reset"), { status: 0 }, "logged with status 0");
  const retried = await raw.commitFiles(REPO, [{ path: "reset.txt", content: Buffer.from("now") }]);
  t.equal(retried.status, 200, "the same commit without the fault lands");
});

t.test("cut: headers and the first N body bytes, then the socket dies", async (t) => {
  emu.setFaults("route=resolve,kind=cut,bytes=100");
  const res = await request(`${emu.url}/${REPO}/resolve/main/big.txt`, { dispatcher: raw.agent });
  t.equal(res.statusCode, 200, "status line and headers arrive");
  t.equal(Number(headerOf(res, "content-length")), bigText.length, "Content-Length announces the whole file");
  let received = 0;
  let failure: unknown = null;
  try {
    for await (const chunk of res.body) received += (chunk as Buffer).length;
  } catch (err) {
    failure = err;
  }
  emu.setFaults("");
  t.match(failure, SOCKET_ERROR, "reading the body fails with a socket error");
  t.ok(received <= 100, `at most 100 body bytes arrived (${received})`);
  t.ok(await loggedFault("resolve", "cut"), "logged as cut");
  const whole = await raw.send("GET", `/${REPO}/resolve/main/big.txt`);
  t.ok(whole.body.equals(bigText), "the full file arrives once healed");
});

t.test("lost: the commit lands but its answer never arrives", async (t) => {
  const before = await raw.headSha(REPO);
  emu.setFaults("route=commit,kind=lost");
  await t.rejects(
    raw.commitFiles(REPO, [{ path: "lost.txt", content: Buffer.from("landed") }]),
    SOCKET_ERROR,
    "a socket error, not an HTTP answer",
  );
  emu.setFaults("");
  t.not(await raw.headSha(REPO), before, "head moved");
  t.same(await raw.existingPaths(REPO, ["lost.txt"]), ["lost.txt"], "paths-info shows the file");
  const content = await raw.send("GET", `/${REPO}/resolve/main/lost.txt`);
  t.equal(content.body.toString("utf8"), "landed");
  t.match(await loggedFault("commit", "lost"), { status: 0 }, "logged with status 0");
});
