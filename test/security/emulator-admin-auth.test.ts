import http from "node:http";
import t, { type Test } from "tap";
import { startEmulator } from "../../emulator/start-emulator.js";
import { RawHub, type RawResponse } from "../emulator/fixtures/raw-hub.js";

// What test/emulator/faults-control.test.ts does not cover about /admin/faults: credentials that
// are almost right, other methods and path spellings, the two token kinds kept apart, refusals
// that echo nothing, and a large unauthenticated body.
const HUB_TOKEN = "hf_admin_auth_user";
const ADMIN = "adm1n-s3cret-Q7";
const SPEC = "route=refs,kind=status,status=503";

async function emulatorFor(t: Test, adminToken: string) {
  const emu = await startEmulator({ tokens: [HUB_TOKEN], adminToken, faults: SPEC, seed: 3 });
  const raw = new RawHub(emu.url, HUB_TOKEN);
  t.teardown(async () => {
    await raw.close();
    await emu.close();
  });
  return { emu, raw };
}

/** A GET whose request target is sent exactly as written (URL parsing would normalise `..` and `//`). */
function verbatimGet(base: string, target: string): Promise<number> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: hostname, port, path: target, agent: false }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end();
  });
}

const text = (res: RawResponse) => res.body.toString("utf8") + JSON.stringify(res.headers);

t.test("almost-right credentials are refused, and the refusal echoes none of them", async (t) => {
  const { raw } = await emulatorFor(t, ADMIN);
  const attempts: Array<[string, Record<string, string>, number]> = [
    ["no scheme", { authorization: ADMIN }, 403],
    ["Basic scheme", { authorization: `Basic ${ADMIN}` }, 403],
    ["a prefix of the token", { authorization: `Bearer ${ADMIN.slice(0, -1)}` }, 403],
    ["the token plus a suffix", { authorization: `Bearer ${ADMIN}x` }, 403],
    ["two spaces after Bearer", { authorization: `Bearer  ${ADMIN}` }, 403],
    ["Bearer and nothing else", { authorization: "Bearer" }, 403],
    ["another header name", { "x-admin-token": ADMIN }, 401],
  ];
  for (const [what, headers, status] of attempts) {
    const res = await raw.send("GET", "/admin/faults", { token: null, headers });
    t.equal(res.status, status, `${what}: ${status}`);
    t.notOk(text(res).includes(ADMIN.slice(0, -1)), `${what}: the answer does not quote it`);
  }
  const query = await raw.send("GET", `/admin/faults?token=${ADMIN}`, { token: null });
  t.equal(query.status, 401, "a token in the query string is not a credential");
  const right = await raw.send("GET", "/admin/faults", { token: ADMIN });
  t.equal(right.status, 200, "the exact bearer token is accepted");
  t.same(JSON.parse(right.body.toString("utf8")), { spec: SPEC, seed: 3 });
});

t.test("the admin token and the Hub tokens are not interchangeable", async (t) => {
  const { raw } = await emulatorFor(t, ADMIN);
  t.equal(
    (await raw.send("GET", "/api/whoami-v2", { token: ADMIN })).status,
    401,
    "admin token: no Hub access",
  );
  const create = await raw.sendJson("POST", "/api/repos/create", { name: "x", type: "model" }, ADMIN);
  t.equal(create.status, 401, "admin token cannot create repos");
  t.equal((await raw.send("GET", "/api/whoami-v2")).status, 200, "the Hub token works on the Hub");
  t.equal((await raw.send("GET", "/admin/faults")).status, 403, "but not on /admin");
});

t.test("other methods and path spellings are refused before anything else", async (t) => {
  const { emu, raw } = await emulatorFor(t, ADMIN);
  for (const method of ["POST", "DELETE", "PATCH"]) {
    t.equal(
      (await raw.send(method, "/admin/faults", { token: null })).status,
      401,
      `${method} without token`,
    );
    t.equal(
      (await raw.send(method, "/admin/faults", { token: "nope" })).status,
      403,
      `${method} wrong token`,
    );
    t.equal((await raw.send(method, "/admin/faults", { token: ADMIN })).status, 405, `${method} admin: 405`);
  }
  for (const path of ["/admin/faults/", "/admin/faults?x=1"]) {
    t.equal((await raw.send("GET", path, { token: null })).status, 401, `${path} needs the token too`);
    t.equal((await raw.send("GET", path, { token: ADMIN })).status, 200, `${path} is the same route`);
  }
  for (const target of [
    "/Admin/faults",
    "//admin/faults",
    "/admin/faults/x",
    "/admin/%66aults",
    "/api/../admin/faults",
    "/admin/./faults",
  ]) {
    t.not(await verbatimGet(emu.url, target), 200, `${target} is not an open door`);
  }
  const after = await raw.send("GET", "/admin/faults", { token: ADMIN });
  t.same(JSON.parse(after.body.toString("utf8")), { spec: SPEC, seed: 3 }, "the rules are unchanged");
});

t.test("a 10 MB unauthenticated PUT is refused and the emulator keeps answering", async (t) => {
  const { raw } = await emulatorFor(t, ADMIN);
  const body = JSON.stringify({ spec: `${"route=refs,kind=status,status=500;".repeat(300_000)}` });
  const refused = await raw
    .send("PUT", "/admin/faults", { token: null, body, headers: { "content-type": "application/json" } })
    .then(
      (res) => res.status,
      // Answered before the body was read: the connection may be cut while the body is still going out.
      (err: unknown) => (err as { code?: string }).code ?? "error",
    );
  t.ok(refused === 401 || refused === "UND_ERR_SOCKET" || refused === "ECONNRESET", `refused (${refused})`);
  const rules = await raw.send("GET", "/admin/faults", { token: ADMIN });
  t.same(
    JSON.parse(rules.body.toString("utf8")),
    { spec: SPEC, seed: 3 },
    "still answering, rules unchanged",
  );
});

t.test("an explicit route=admin fault never fires on the admin route", async (t) => {
  const { emu, raw } = await emulatorFor(t, ADMIN);
  emu.setFaults("route=admin,kind=status,status=500;route=*,kind=reset");
  t.equal((await raw.send("GET", "/admin/faults", { token: ADMIN })).status, 200, "admin stays reachable");
  const cleared = await raw.sendJson("PUT", "/admin/faults", { spec: "" }, ADMIN);
  t.equal(cleared.status, 200, "so a runaway fault spec can always be cleared");
  t.equal((await raw.send("GET", "/api/whoami-v2")).status, 200);
});

t.test("an empty admin token opens nothing", async (t) => {
  const { raw } = await emulatorFor(t, "");
  for (const authorization of ["Bearer", "Bearer ", ""]) {
    const res = await raw.send("GET", "/admin/faults", { token: null, headers: { authorization } });
    t.not(res.status, 200, `Authorization: "${authorization}" is refused`);
  }
  t.not((await raw.send("GET", "/admin/faults", { token: null })).status, 200, "no header is refused");
});
