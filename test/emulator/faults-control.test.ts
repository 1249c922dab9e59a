import t from "tap";
import { type EmulatorOptions, startEmulator } from "../../emulator/start-emulator.js";
import { RawHub } from "./fixtures/raw-hub.js";

// How fault rules are counted, drawn and replaced: count/after, seeded rates, setFaults() and the
// /admin/faults routes.
const TOKEN = "hf_faults_control";

/** A fresh emulator with a raw client; both closed at the end of the (sub)test. */
async function emulatorFor(t: { teardown: (fn: () => Promise<void>) => void }, options: EmulatorOptions) {
  const emu = await startEmulator({ tokens: [TOKEN], ...options });
  const raw = new RawHub(emu.url, TOKEN);
  t.teardown(async () => {
    await raw.close();
    await emu.close();
  });
  return { emu, raw };
}

async function whoamiStatuses(raw: RawHub, n: number): Promise<number[]> {
  const statuses: number[] = [];
  // Sequential on purpose: the PRNG draws in request order.
  for (let i = 0; i < n; i++) statuses.push((await raw.send("GET", "/api/whoami-v2")).status);
  return statuses;
}

t.test("after skips the first N matching requests, count caps the firings", async (t) => {
  const { raw } = await emulatorFor(t, { faults: "route=whoami,kind=status,status=500,after=2,count=3" });
  t.same(await whoamiStatuses(raw, 7), [200, 200, 500, 500, 500, 200, 200]);
  const yaml = await raw.sendJson("POST", "/api/validate-yaml", { content: "# hi\n", repoType: "model" });
  t.equal(yaml.status, 200, "other routes are not faulted");
});

t.test("the first firing rule wins; a rule that does not match leaves the request alone", async (t) => {
  const { raw } = await emulatorFor(t, {
    faults:
      "route=refs,kind=status,status=504;route=whoami,kind=status,status=503,count=1;route=*,kind=status,status=502",
  });
  t.same(await whoamiStatuses(raw, 2), [503, 502], "rule 2 fires once, then the catch-all");
});

t.test("rate draws from a seeded PRNG: same seed, same sequence; other seed, other sequence", async (t) => {
  const spec = "route=whoami,kind=status,status=503,rate=0.5";
  const run = async (seed: number) => {
    const emu = await startEmulator({ tokens: [TOKEN], faults: spec, seed });
    const raw = new RawHub(emu.url, TOKEN);
    try {
      return await whoamiStatuses(raw, 48);
    } finally {
      await raw.close();
      await emu.close();
    }
  };
  const first = await run(7);
  const again = await run(7);
  const other = await run(8);
  t.ok(
    first.every((s) => s === 200 || s === 503),
    "only the two outcomes",
  );
  t.ok(first.includes(200) && first.includes(503), "rate=0.5 gives both outcomes over 48 requests");
  t.same(again, first, "seed 7 twice: identical sequences");
  t.notSame(other, first, "seed 8: a different sequence");
});

t.test("setFaults() replaces the rules of a running emulator", async (t) => {
  const { emu, raw } = await emulatorFor(t, {});
  t.same(await whoamiStatuses(raw, 1), [200]);
  emu.setFaults("route=whoami,kind=status,status=502");
  t.same(await whoamiStatuses(raw, 2), [502, 502]);
  emu.setFaults("route=refs,kind=status,status=500");
  t.same(await whoamiStatuses(raw, 1), [200], "the whoami rule is gone");
  emu.setFaults("");
  t.same(await whoamiStatuses(raw, 1), [200]);
  t.throws(() => emu.setFaults("route=whoami,kind=explode"), "an unknown kind is refused");
  t.throws(() => emu.setFaults("route=nowhere,kind=reset"), "an unknown route is refused");
});

t.test("admin routes: read and replace the rules with the admin token only", async (t) => {
  const ADMIN = "admin-secret";
  const start = "route=refs,kind=status,status=500";
  const { raw } = await emulatorFor(t, { adminToken: ADMIN, faults: start, seed: 5 });
  const getFaults = (token: string | null) => raw.send("GET", "/admin/faults", { token });
  const putFaults = (spec: string, token: string | null) =>
    raw.sendJson("PUT", "/admin/faults", { spec }, token);

  const current = await getFaults(ADMIN);
  t.equal(current.status, 200);
  t.same(JSON.parse(current.body.toString("utf8")), { spec: start, seed: 5 });

  t.equal((await putFaults("route=whoami,kind=status,status=500", ADMIN)).status < 300, true, "PUT accepted");
  t.same(await whoamiStatuses(raw, 1), [500], "new rule in force");
  t.match(JSON.parse((await getFaults(ADMIN)).body.toString("utf8")), {
    spec: "route=whoami,kind=status,status=500",
  });

  for (const [token, status] of [
    [null, 401],
    ["wrong-token", 403],
    [TOKEN, 403],
  ] as const) {
    t.equal((await getFaults(token)).status, status, `GET with ${token ?? "no token"}`);
    t.equal((await putFaults("", token)).status, status, `PUT with ${token ?? "no token"}`);
  }
  t.same(await whoamiStatuses(raw, 1), [500], "refused PUTs changed nothing");

  t.equal((await putFaults("route=*,kind=status,status=500", ADMIN)).status < 300, true);
  t.equal((await getFaults(ADMIN)).status, 200, "admin routes are never faulted");
  t.equal((await putFaults("", ADMIN)).status < 300, true);
  t.same(await whoamiStatuses(raw, 1), [200], "cleared");
});

t.test("without an adminToken the admin routes do not exist", async (t) => {
  const { raw } = await emulatorFor(t, {});
  t.equal((await raw.send("GET", "/admin/faults", { token: "anything" })).status, 404);
  t.equal((await raw.send("GET", "/admin/faults", { token: null })).status, 404);
  t.equal((await raw.sendJson("PUT", "/admin/faults", { spec: "" }, "anything")).status, 404);
});
