import { createBranch, deleteBranch, fileExists, listFiles } from "@huggingface/hub";
import t from "tap";
import {
  assertRefused,
  commit,
  createRepo,
  fileLine,
  header,
  http,
  startTestEmulator,
  type Teardown,
  WRITE_TOKEN,
} from "./helpers.js";

// Issue 18 §7–8 and issue 12 §4 (Hub side): branches from any revision, tags, their refusals.
const REPO = "models/user/refs";

async function setup(t: Teardown & { equal(a: unknown, b: unknown): unknown }) {
  const emu = await startTestEmulator(t);
  t.equal((await createRepo(emu.url, "user/refs")).status, 200);
  const first = await commit(emu.url, REPO, [header("one"), fileLine("a.txt", "1")]);
  const second = await commit(emu.url, REPO, [header("two"), fileLine("b.txt", "2")]);
  return {
    emu,
    hub: { hubUrl: emu.url, accessToken: WRITE_TOKEN, repo: "user/refs" },
    first: first.json<{ commitOid: string }>().commitOid,
    second: second.json<{ commitOid: string }>().commitOid,
  };
}

type Refs = {
  branches: { name: string; targetCommit: string }[];
  tags: { name: string; ref: string; targetCommit: string }[];
};

t.test("branches: from a commit oid, a tag or a branch; 409, 404 and 403 refusals", async (t) => {
  const { emu, hub, first, second } = await setup(t);
  await createBranch({ ...hub, branch: "from-oid", revision: first });
  t.equal(await fileExists({ ...hub, path: "a.txt", revision: "from-oid" }), true);
  t.equal(
    await fileExists({ ...hub, path: "b.txt", revision: "from-oid" }),
    false,
    "branch starts at the oid",
  );
  t.equal((await http(emu.url, `/api/${REPO}/tag/${first}`, { json: { tag: "v1" } })).status, 200);
  await createBranch({ ...hub, branch: "from-tag", revision: "v1" });
  await createBranch({ ...hub, branch: "v1" }); // a branch may share its name with a tag
  const refs = (await http(emu.url, `/api/${REPO}/refs`)).json<Refs>();
  const target = (n: string) => refs.branches.find((b) => b.name === n)?.targetCommit;
  t.equal(target("from-tag"), first, "branch from a tag starts at the tagged commit");
  t.equal(target("v1"), second, "branch v1 (same name as tag v1) starts at main");
  t.same(refs.tags, [{ name: "v1", ref: "refs/tags/v1", targetCommit: first }]);
  const files = [];
  for await (const f of listFiles({ ...hub, revision: "refs/tags/v1" })) files.push(f.path);
  t.same(files.sort(), [".gitattributes", "a.txt"], "refs/tags/v1 lists the tagged tree");

  const again = await http(emu.url, `/api/${REPO}/branch/from-oid`, { json: {} });
  assertRefused(t, again, 409, "BranchExists", /^Reference refs\/heads\/from-oid already exists$/);
  await t.rejects(
    createBranch({ ...hub, branch: "from-oid" }),
    /already exists/,
    "@huggingface/hub sees 409",
  );
  const missing = await http(emu.url, `/api/${REPO}/branch/nope`, { method: "DELETE" });
  assertRefused(t, missing, 404, "RevisionNotFound");
  const main = await http(emu.url, `/api/${REPO}/branch/main`, { method: "DELETE" });
  assertRefused(t, main, 403, "Forbidden", /^Cannot delete refs\/heads\/main$/);
  const badStart = await http(emu.url, `/api/${REPO}/branch/x`, { json: { startingPoint: "no-such-rev" } });
  assertRefused(t, badStart, 404, "RevisionNotFound");
  await deleteBranch({ ...hub, branch: "from-oid" });
  t.equal(await fileExists({ ...hub, path: "a.txt", revision: "from-oid" }), false, "deleted branch is gone");
});

t.test("tags: on a branch, a commit oid, a PR ref; list; 409; missing revision; delete", async (t) => {
  const { emu, first, second } = await setup(t);
  const pr = await commit(emu.url, REPO, [header("pr"), fileLine("c.txt", "3")], { query: "?create_pr=1" });
  t.equal(pr.status, 200);
  const prOid = pr.json<{ commitOid: string }>().commitOid;
  t.equal(
    (await http(emu.url, `/api/${REPO}/tag/main`, { json: { tag: "on-main", message: "m" } })).status,
    200,
  );
  t.equal((await http(emu.url, `/api/${REPO}/tag/${first}`, { json: { tag: "on-oid" } })).status, 200);
  t.equal((await http(emu.url, `/api/${REPO}/tag/refs%2Fpr%2F1`, { json: { tag: "on-pr" } })).status, 200);
  const refs = (await http(emu.url, `/api/${REPO}/refs`)).json<Refs>();
  t.same(
    refs.tags.map((x) => [x.name, x.targetCommit]),
    [
      ["on-main", second],
      ["on-oid", first],
      ["on-pr", prOid],
    ],
  );
  const twice = await http(emu.url, `/api/${REPO}/tag/main`, { json: { tag: "on-main" } });
  assertRefused(t, twice, 409, "TagExists");
  const noRev = await http(emu.url, `/api/${REPO}/tag/ghost`, { json: { tag: "t2" } });
  assertRefused(t, noRev, 404, "RevisionNotFound");
  const badName = await http(emu.url, `/api/${REPO}/tag/main`, { json: { tag: "a..b" } });
  assertRefused(t, badName, 400, "BadRequest");
  const noBody = await http(emu.url, `/api/${REPO}/tag/main`, { body: "{not json" });
  t.equal(noBody.status, 400, "malformed JSON is 400");
  t.equal((await http(emu.url, `/api/${REPO}/tag/on-oid`, { method: "DELETE" })).status, 200);
  const gone = await http(emu.url, `/api/${REPO}/tag/on-oid`, { method: "DELETE" });
  assertRefused(t, gone, 404, "RevisionNotFound");
  const resolveGone = await http(emu.url, `/api/${REPO}/revision/on-oid`);
  assertRefused(t, resolveGone, 404, "RevisionNotFound");
  const readOnly = await http(emu.url, `/api/${REPO}/tag/main`, { json: { tag: "ro" }, token: null });
  t.equal(readOnly.status, 401, "tagging needs a token");
});
