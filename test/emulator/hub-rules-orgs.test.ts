import { createRepo as hubCreateRepo, repoExists } from "@huggingface/hub";
import t from "tap";
import {
  ALICE_TOKEN,
  assertRefused,
  DEFAULT_TEST_TOKENS,
  http,
  startTestEmulator,
  WRITE_TOKEN,
} from "./helpers.js";

// Issue 12 §1–2 and issue 18 §11: org default visibility, org membership, Spaces need an sdk.
const ORGS = ["acme:private-by-default", "openco", "club:members=alice"];

async function repoInfo(base: string, path: string, token = WRITE_TOKEN) {
  const res = await http(base, path, { token });
  return {
    status: res.status,
    private: res.status === 200 ? res.json<{ private: boolean }>().private : undefined,
  };
}

t.test("a repo created in a private-by-default org without `private` is private", async (t) => {
  const emu = await startTestEmulator(t, { orgs: ORGS });
  const omitted = await http(emu.url, "/api/repos/create", { json: { name: "m1", organization: "acme" } });
  t.equal(omitted.status, 200);
  t.same(await repoInfo(emu.url, "/api/models/acme/m1"), { status: 200, private: true });
  t.equal((await http(emu.url, "/api/models/acme/m1", { token: null })).status, 401, "hidden from anonymous");
  const explicit = await http(emu.url, "/api/repos/create", {
    json: { name: "m2", organization: "acme", private: false },
  });
  t.equal(explicit.status, 200);
  t.same(
    await repoInfo(emu.url, "/api/models/acme/m2"),
    { status: 200, private: false },
    "explicit public wins",
  );
  await http(emu.url, "/api/repos/create", { json: { name: "m3", organization: "openco" } });
  t.same(
    await repoInfo(emu.url, "/api/models/openco/m3"),
    { status: 200, private: false },
    "plain org: public",
  );
  await http(emu.url, "/api/repos/create", { json: { name: "m4" } });
  t.same(
    await repoInfo(emu.url, "/api/models/user/m4"),
    { status: 200, private: false },
    "user default: public",
  );
  // The official JS client omits `visibility` when unset: the org default must apply.
  const hub = { hubUrl: emu.url, accessToken: WRITE_TOKEN };
  await hubCreateRepo({ ...hub, repo: { type: "dataset", name: "acme/d1" } });
  t.same(
    await repoInfo(emu.url, "/api/datasets/acme/d1"),
    { status: 200, private: true },
    "@huggingface/hub",
  );
  t.equal(await repoExists({ hubUrl: emu.url, repo: { type: "dataset", name: "acme/d1" } }), false);
  t.equal(await repoExists({ ...hub, repo: { type: "dataset", name: "acme/d1" } }), true);
});

t.test("members may create repos in their org, others may not", async (t) => {
  const emu = await startTestEmulator(t, { orgs: ORGS });
  const member = await http(emu.url, "/api/repos/create", {
    token: ALICE_TOKEN,
    json: { name: "r", organization: "club" },
  });
  t.equal(member.status, 200, "alice is a member of club");
  const outsider = await http(emu.url, "/api/repos/create", { json: { name: "r2", organization: "club" } });
  assertRefused(t, outsider, 403, "Forbidden", /namespace "club"/);
  await t.rejects(
    hubCreateRepo({ hubUrl: emu.url, accessToken: WRITE_TOKEN, repo: "club/r3" }),
    /club/,
    "@huggingface/hub sees the refusal",
  );
  const commitOutsider = await http(emu.url, "/api/models/club/r/commit/main", {
    headers: { "content-type": "application/x-ndjson" },
    body: `${JSON.stringify({ key: "header", value: { summary: "x" } })}\n`,
  });
  t.equal(commitOutsider.status, 403, "a non-member cannot push to the org's repo");
});

t.test("creating a Space needs an sdk", async (t) => {
  const emu = await startTestEmulator(t, { tokens: DEFAULT_TEST_TOKENS });
  const none = await http(emu.url, "/api/repos/create", { json: { name: "sp", type: "space" } });
  assertRefused(t, none, 400, "BadRequest", /sdk/);
  const bad = await http(emu.url, "/api/repos/create", { json: { name: "sp", type: "space", sdk: "flask" } });
  assertRefused(t, bad, 400, "BadRequest", /gradio, streamlit, docker, static/);
  for (const sdk of ["gradio", "streamlit", "docker", "static"]) {
    const ok = await http(emu.url, "/api/repos/create", { json: { name: `sp-${sdk}`, type: "space", sdk } });
    t.equal(ok.status, 200, `sdk ${sdk} accepted`);
  }
  const viaClient = await hubCreateRepo({
    hubUrl: emu.url,
    accessToken: WRITE_TOKEN,
    repo: { type: "space", name: "user/js-space" },
  });
  t.match(viaClient.repoUrl, /spaces\/user\/js-space$/, "@huggingface/hub sends sdk static and succeeds");
  const noSpace = await http(emu.url, "/api/repos/create", { json: { name: "model-no-sdk" } });
  t.equal(noSpace.status, 200, "models need no sdk");
});

t.test("bad --org specs are refused at start", async (t) => {
  await t.rejects(startTestEmulator(t, { orgs: ["acme:public-by-default"] }), /Invalid org/);
  await t.rejects(startTestEmulator(t, { orgs: [":private-by-default"] }), /Invalid org name/);
});

t.test("namespaces are case-insensitive for ownership and org defaults", async (t) => {
  const emu = await startTestEmulator(t, { orgs: ORGS });
  const other = await http(emu.url, "/api/repos/create", { json: { name: "x", organization: "ALICE" } });
  assertRefused(t, other, 403, "Forbidden");
  const own = await http(emu.url, "/api/repos/create", { json: { name: "x", organization: "User" } });
  t.equal(own.status, 200, "own namespace under another case");
  await http(emu.url, "/api/repos/create", { json: { name: "y", organization: "ACME" } });
  t.same(
    await repoInfo(emu.url, "/api/models/acme/y"),
    { status: 200, private: true },
    "org default, any case",
  );
});

t.test(
  "fault kind busy: create-repo's transient 409 'another conflicting operation is in progress'",
  async (t) => {
    const emu = await startTestEmulator(t, { faults: "route=create-repo,kind=busy,count=2" });
    for (let i = 0; i < 2; i++) {
      const busy = await http(emu.url, "/api/repos/create", { json: { name: "b" } });
      assertRefused(
        t,
        busy,
        409,
        "ConflictingOperation",
        /^Cannot create repo: another conflicting operation is in progress$/,
      );
      t.equal(busy.json<{ url?: string }>().url, undefined, "no url: it is not 'already exists'");
    }
    const ok = await http(emu.url, "/api/repos/create", { json: { name: "b" } });
    t.equal(ok.status, 200, "the retry after the fault succeeds");
    const exists = await http(emu.url, "/api/repos/create", { json: { name: "b" } });
    assertRefused(t, exists, 409, "RepoExists");
    t.type(exists.json<{ url?: string }>().url, "string", "already exists carries url");
  },
);
