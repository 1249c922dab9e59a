import { deleteRepo, fileExists, listFiles, repoExists, uploadFile } from "@huggingface/hub";
import t from "tap";
import {
  ALICE_TOKEN,
  assertRefused,
  commit,
  createRepo,
  fileLine,
  header,
  http,
  startTestEmulator,
  WRITE_TOKEN,
} from "./helpers.js";

// Issue 18 §1 and §10, issue 12 §5 (Hub side): case-insensitive ids, delete, move and its redirects.

t.test("repo ids are case-insensitive on every route", async (t) => {
  const emu = await startTestEmulator(t);
  t.equal((await createRepo(emu.url, "user/My-Model")).status, 200);
  await commit(emu.url, "models/user/My-Model", [header(), fileLine("a.txt", "A")]);
  const info = await http(emu.url, "/api/models/USER/my-model");
  t.equal(info.status, 200);
  t.equal(info.json<{ id: string }>().id, "user/My-Model", "answers under the canonical name");
  const dup = await createRepo(emu.url, "user/my-model");
  assertRefused(t, dup, 409, "RepoExists");
  const hub = { hubUrl: emu.url, accessToken: WRITE_TOKEN, repo: "user/MY-MODEL" };
  t.equal(await fileExists({ ...hub, path: "a.txt" }), true, "fileExists under another case");
  t.equal((await http(emu.url, "/user/my-model/resolve/main/a.txt")).text, "A", "resolve");
  await uploadFile({ ...hub, file: { path: "b.txt", content: new Blob(["B"]) } });
  const files: string[] = [];
  for await (const f of listFiles({ ...hub, repo: "user/my-model" })) files.push(f.path);
  t.same(
    files.sort(),
    [".gitattributes", "a.txt", "b.txt"],
    "commit under another case lands in the same repo",
  );
});

t.test("deleting a repo", async (t) => {
  const emu = await startTestEmulator(t);
  await createRepo(emu.url, "user/gone");
  await createRepo(emu.url, "alice/theirs", { token: ALICE_TOKEN });
  const hub = { hubUrl: emu.url, accessToken: WRITE_TOKEN };
  await deleteRepo({ ...hub, repo: "user/gone" });
  t.equal(await repoExists({ ...hub, repo: "user/gone" }), false, "gone after deleteRepo");
  const again = await http(emu.url, "/api/repos/delete", {
    method: "DELETE",
    json: { name: "gone", organization: "user" },
  });
  assertRefused(t, again, 404, "RepoNotFound");
  const other = await http(emu.url, "/api/repos/delete", {
    method: "DELETE",
    json: { name: "theirs", organization: "alice" },
  });
  assertRefused(t, other, 403, "Forbidden");
  const bad = await http(emu.url, "/api/repos/delete", {
    method: "DELETE",
    json: { name: "a..b", organization: "user" },
  });
  assertRefused(t, bad, 400, "InvalidRepoName");
  t.equal((await createRepo(emu.url, "user/gone")).status, 200, "the name can be reused");
  const fresh = await http(emu.url, "/api/models/user/gone/tree/main");
  t.same(
    fresh.json<{ path: string }[]>().map((e) => e.path),
    [".gitattributes"],
    "a fresh repo, no old files",
  );
});

t.test("moving a repo: the old name answers 307 to the new one", async (t) => {
  const emu = await startTestEmulator(t);
  await createRepo(emu.url, "user/old");
  await commit(emu.url, "models/user/old", [header(), fileLine("dir/a.txt", "A")]);
  const moved = await http(emu.url, "/api/repos/move", {
    json: { fromRepo: "user/old", toRepo: "user/new" },
  });
  t.equal(moved.status, 200, moved.text);
  for (const [path, target] of [
    ["/api/models/user/old", "/api/models/user/new"],
    ["/api/models/user/old/tree/main/dir?recursive=1", "/api/models/user/new/tree/main/dir?recursive=1"],
    ["/user/old/resolve/main/dir/a.txt", "/user/new/resolve/main/dir/a.txt"],
    ["/api/models/USER/OLD/revision/main", "/api/models/user/new/revision/main"],
  ] as const) {
    const res = await http(emu.url, path);
    t.equal(res.status, 307, `${path} redirects`);
    t.equal(res.headers.location, `${emu.url}${target}`, `${path} → ${target}`);
  }
  const paths = await http(emu.url, "/api/models/user/old/paths-info/main", {
    json: { paths: ["dir/a.txt"] },
  });
  t.equal(paths.status, 307, "POST routes redirect too (307 keeps the method and body)");
  const hub = { hubUrl: emu.url, accessToken: WRITE_TOKEN };
  t.equal(
    await fileExists({ ...hub, repo: "user/old", path: "dir/a.txt" }),
    true,
    "fetch follows the redirect",
  );
  t.equal(await repoExists({ ...hub, repo: "user/new" }), true);
  const missing = await http(emu.url, "/api/models/user/never");
  assertRefused(t, missing, 404, "RepoNotFound");

  await createRepo(emu.url, "user/taken");
  const clash = await http(emu.url, "/api/repos/move", {
    json: { fromRepo: "user/new", toRepo: "user/taken" },
  });
  assertRefused(t, clash, 409, "RepoExists");
  const foreign = await http(emu.url, "/api/repos/move", {
    json: { fromRepo: "user/new", toRepo: "alice/x" },
  });
  assertRefused(t, foreign, 403, "Forbidden");
  const badId = await http(emu.url, "/api/repos/move", { json: { fromRepo: "user/new", toRepo: "nope" } });
  assertRefused(t, badId, 400, "InvalidRepoName");
  const noRepo = await http(emu.url, "/api/repos/move", {
    json: { fromRepo: "user/ghost", toRepo: "user/g2" },
  });
  assertRefused(t, noRepo, 404, "RepoNotFound");
  const notJson = await http(emu.url, "/api/repos/move", { body: "{" });
  t.equal(notJson.status, 400, "malformed JSON is 400");

  t.equal((await createRepo(emu.url, "user/old")).status, 200, "the old name can be taken again");
  t.equal((await http(emu.url, "/api/models/user/old")).status, 200, "and then no longer redirects");
});

t.test("fault injection applies to the new routes", async (t) => {
  const emu = await startTestEmulator(t, { faults: "route=repo-move,kind=status,status=503" });
  await createRepo(emu.url, "user/f");
  const res = await http(emu.url, "/api/repos/move", { json: { fromRepo: "user/f", toRepo: "user/g" } });
  assertRefused(t, res, 503, "InjectedFault");
  t.equal((await http(emu.url, "/api/models/user/f")).status, 200, "the injected failure moved nothing");
});

t.test("the admin move operation (issue 12 §5): old URLs answer 307 to the new ones", async (t) => {
  const emu = await startTestEmulator(t, { adminToken: "adm" });
  await createRepo(emu.url, "alice/src", { token: ALICE_TOKEN });
  const noAuth = await http(emu.url, "/admin/move", { json: { from: "alice/src", to: "user/dst" } });
  assertRefused(t, noAuth, 403, "Forbidden");
  const moved = await http(emu.url, "/admin/move", {
    token: "adm",
    json: { from: "alice/src", to: "user/dst" },
  });
  t.equal(moved.status, 200, moved.text);
  const old = await http(emu.url, "/api/models/alice/src/revision/main");
  t.equal(old.status, 307);
  t.equal(old.headers.location, `${emu.url}/api/models/user/dst/revision/main`);
  const missing = await http(emu.url, "/admin/move", {
    token: "adm",
    json: { from: "alice/none", to: "user/x" },
  });
  assertRefused(t, missing, 404, "RepoNotFound");
  const bad = await http(emu.url, "/admin/move", { token: "adm", json: { from: "alice/none" } });
  assertRefused(t, bad, 400, "InvalidRepoName");
});
