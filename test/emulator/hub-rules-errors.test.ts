import { fileExists, pathsInfo, repoExists } from "@huggingface/hub";
import t from "tap";

type Asserts = Parameters<typeof assertRefused>[0];

import {
  assertRefused,
  commit,
  createRepo,
  fileLine,
  header,
  http,
  startTestEmulator,
  WRITE_TOKEN,
} from "./helpers.js";

// Issue 18 §2: the status, X-Error-Code and X-Error-Message that huggingface_hub's
// hf_raise_for_status maps to RepositoryNotFoundError / RevisionNotFoundError / EntryNotFoundError,
// and what @huggingface/hub's repoExists / fileExists read.

function assertHeadRefused(t: Asserts, res: Awaited<ReturnType<typeof http>>, status: number, code: string) {
  t.equal(res.status, status, `HEAD status ${status}`);
  t.equal(res.headers["x-error-code"], code, "HEAD X-Error-Code");
  t.ok((res.headers["x-error-message"] ?? "") !== "", "HEAD X-Error-Message");
}

t.test("missing repo, revision and file on every read route", async (t) => {
  const emu = await startTestEmulator(t);
  await createRepo(emu.url, "user/here");
  await commit(emu.url, "models/user/here", [header(), fileLine("dir/a.txt", "A")]);
  const u = emu.url;
  for (const id of ["user/missing", "gpt2"]) {
    for (const path of [
      `/api/models/${id}`,
      `/api/models/${id}/revision/main`,
      `/api/models/${id}/tree/main`,
      `/api/datasets/${id}/tree/main/sub`,
    ]) {
      assertRefused(t, await http(u, path), 404, "RepoNotFound");
      assertRefused(t, await http(u, path, { token: null }), 401, "RepoNotFound");
    }
    assertRefused(
      t,
      await http(u, `/api/models/${id}/paths-info/main`, { json: { paths: ["a"] } }),
      404,
      "RepoNotFound",
    );
    assertRefused(t, await http(u, `/${id}/resolve/main/a.txt`), 404, "RepoNotFound");
    assertHeadRefused(t, await http(u, `/${id}/resolve/main/a.txt`, { method: "HEAD" }), 404, "RepoNotFound");
    t.equal(await repoExists({ hubUrl: u, accessToken: WRITE_TOKEN, repo: id }), false, `repoExists(${id})`);
    t.equal(await repoExists({ hubUrl: u, repo: id }), false, `anonymous repoExists(${id})`);
  }
  for (const path of [
    "/api/models/user/here/revision/nope",
    "/api/models/user/here/tree/nope",
    "/user/here/resolve/nope/dir/a.txt",
  ]) {
    assertRefused(t, await http(u, path), 404, "RevisionNotFound", /^Invalid rev id: nope$/);
  }
  assertRefused(
    t,
    await http(u, "/api/models/user/here/paths-info/nope", { json: { paths: ["a"] } }),
    404,
    "RevisionNotFound",
  );
  assertHeadRefused(
    t,
    await http(u, "/user/here/resolve/nope/dir/a.txt", { method: "HEAD" }),
    404,
    "RevisionNotFound",
  );
  assertRefused(t, await http(u, "/user/here/resolve/main/dir/b.txt"), 404, "EntryNotFound");
  assertHeadRefused(
    t,
    await http(u, "/user/here/resolve/main/dir/b.txt", { method: "HEAD" }),
    404,
    "EntryNotFound",
  );
  assertRefused(t, await http(u, "/api/models/user/here/tree/main/nodir"), 404, "EntryNotFound");
  const hub = { hubUrl: u, accessToken: WRITE_TOKEN, repo: "user/here" };
  t.equal(await fileExists({ ...hub, path: "dir/a.txt" }), true);
  t.equal(await fileExists({ ...hub, path: "dir/b.txt" }), false, "fileExists of a missing file");
  t.equal(await fileExists({ ...hub, path: "dir/a.txt", revision: "nope" }), false, "…at a missing revision");
  t.same(await pathsInfo({ ...hub, paths: ["dir/b.txt"] }), [], "paths-info omits a missing path (200)");
  t.equal(await repoExists(hub), true);
});
