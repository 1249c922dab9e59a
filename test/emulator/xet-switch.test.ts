import { createCipheriv, createHash } from "node:crypto";
import { join } from "node:path";
import { createRepo, uploadFiles } from "@huggingface/hub";
import t from "tap";
import { type RunningEmulator, startEmulator } from "../../emulator/start-emulator.js";
import { type AccessLogEntry, readAccessLog } from "./fixtures/read-access-log.js";

/**
 * The per-repo Xet switch (`PUT /admin/xet`): a legacy repo on a Xet-by-default emulator, and a Xet
 * repo on a `--no-xet` one. @huggingface/hub (useXet: true) takes whichever path the emulator offers.
 */
const TOKEN = "hf_switch_write";
const ADMIN = "admin-secret";

const noise = (n: number, seed: number): Buffer =>
  createCipheriv("aes-256-ctr", createHash("sha256").update(`s${seed}`).digest(), Buffer.alloc(16)).update(
    Buffer.alloc(n),
  );

async function start(xet: boolean): Promise<{ emu: RunningEmulator; log: string }> {
  const log = join(t.testdir(), `access-${xet}.jsonl`);
  const emu = await startEmulator({
    tokens: [`${TOKEN}:write:user`],
    adminToken: ADMIN,
    accessLog: log,
    lfsThresholdBytes: 0,
    xet,
  });
  t.teardown(() => emu.close());
  return { emu, log };
}

async function setSwitch(
  emu: RunningEmulator,
  body: Record<string, unknown>,
  auth = `Bearer ${ADMIN}`,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${emu.url}/admin/xet`, {
    method: "PUT",
    headers: { Authorization: auth, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** Uploads one file with @huggingface/hub (Xet offered) and returns the routes it used. */
async function upload(
  emu: RunningEmulator,
  log: string,
  repo: string,
  content: Buffer,
  path = "data.bin",
): Promise<Set<string>> {
  const before = (await readAccessLog(log)).length;
  await uploadFiles({
    hubUrl: emu.url,
    accessToken: TOKEN,
    repo: { type: "model", name: repo },
    useXet: true,
    files: [{ path, content: new Blob([content]) }],
  });
  return new Set((await readAccessLog(log)).slice(before).map((e: AccessLogEntry) => e.route));
}

async function info(emu: RunningEmulator, repo: string, path: string): Promise<Record<string, unknown>> {
  return (await (await fetch(`${emu.url}/api/models/${repo}${path}`)).json()) as Record<string, unknown>;
}

t.test("a legacy repo on a Xet-by-default emulator", async (t) => {
  const { emu, log } = await start(true);
  const hub = { hubUrl: emu.url, accessToken: TOKEN };
  await createRepo({ ...hub, repo: { type: "model", name: "user/legacy" } });
  await createRepo({ ...hub, repo: { type: "model", name: "user/modern" } });
  t.same((await setSwitch(emu, { repo: "user/legacy", enabled: false })).json, {
    repo: "user/legacy",
    type: "model",
    enabled: false,
    override: false,
  });
  const legacy = await upload(emu, log, "user/legacy", noise(300_000, 1));
  t.ok(legacy.has("lfs-put"), "the legacy repo got a classic LFS upload");
  t.notOk(legacy.has("xet-xorb") || legacy.has("xet-token"), "and no Xet traffic");
  const content = noise(300_000, 5);
  const modern = await upload(emu, log, "user/modern", content);
  // The same bytes committed to the legacy repo: stored already, so nothing is sent.
  await upload(emu, log, "user/legacy", content, "copy.bin");
  t.ok(modern.has("xet-xorb") && modern.has("xet-shard"), "the other repo still takes Xet");
  t.equal((await info(emu, "user/legacy", "")).xetEnabled, false, "repo info: xetEnabled false");
  t.equal((await info(emu, "user/modern", "")).xetEnabled, true);
  const tree = async (repo: string, path: string) =>
    ((await info(emu, repo, "/tree/main")) as unknown as { path: string; xetHash?: string }[]).find(
      (e) => e.path === path,
    );
  t.equal((await tree("user/legacy", "copy.bin"))?.xetHash, undefined, "no xetHash in a legacy repo");
  t.match((await tree("user/modern", "data.bin"))?.xetHash, /^[0-9a-f]{64}$/, "(same bytes)");
  const tokenRes = await fetch(`${emu.url}/api/models/user/legacy/xet-write-token/main`, {
    headers: { Authorization: `Bearer ${TOKEN}` },
  });
  t.equal(tokenRes.status, 404, "no Xet token for a legacy repo");
  t.match(await tokenRes.text(), /legacy repo/);
  const resolved = await fetch(`${emu.url}/user/legacy/resolve/main/copy.bin`, { redirect: "manual" });
  t.equal(resolved.headers.get("x-xet-hash"), null, "resolve of a legacy repo names no Xet hash");

  t.same((await setSwitch(emu, { repo: "user/legacy", enabled: null })).json.enabled, true, "null: default");
  const back = await upload(emu, log, "user/legacy", noise(200_000, 2));
  t.ok(back.has("xet-xorb"), "back on the default, the repo takes Xet");

  t.equal((await setSwitch(emu, { repo: "user/legacy", enabled: true }, "Bearer nope")).status, 403);
  t.equal((await setSwitch(emu, { repo: "user/nothere", enabled: true })).status, 404);
  t.equal((await setSwitch(emu, { repo: "user/legacy", enabled: "yes" })).status, 400);
  t.equal((await setSwitch(emu, { repo: "legacy", enabled: true })).status, 400);
  const got = await fetch(`${emu.url}/admin/xet?repo=user/legacy`, {
    headers: { Authorization: `Bearer ${ADMIN}` },
  });
  t.same(await got.json(), { repo: "user/legacy", type: "model", enabled: true, override: null });
});

t.test("a Xet repo on a --no-xet emulator", async (t) => {
  const { emu, log } = await start(false);
  const hub = { hubUrl: emu.url, accessToken: TOKEN };
  await createRepo({ ...hub, repo: { type: "model", name: "user/old" } });
  await createRepo({ ...hub, repo: { type: "model", name: "user/new" } });
  t.equal((await setSwitch(emu, { repo: "user/new", enabled: true })).status, 200);
  const old = await upload(emu, log, "user/old", noise(100_000, 3));
  t.ok(old.has("lfs-put") && !old.has("xet-xorb"), "--no-xet: classic LFS");
  const fresh = await upload(emu, log, "user/new", noise(100_000, 4));
  t.ok(fresh.has("xet-xorb") && fresh.has("xet-shard"), "the switched repo takes Xet");
  t.equal((await info(emu, "user/new", "")).xetEnabled, true);
  t.equal((await info(emu, "user/old", "")).xetEnabled, false);
});
