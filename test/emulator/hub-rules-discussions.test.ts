import { listFiles } from "@huggingface/hub";
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

// Issue 18 §9: POST …/discussions with pullRequest: true opens refs/pr/N (what huggingface_hub's
// create_pull_request and the upload pipeline's create_pr do); list, get, commits on the PR ref.
type Discussion = {
  num: number;
  title: string;
  status: string;
  isPullRequest: boolean;
  author: { name: string };
};

t.test("pull requests through the discussions API", async (t) => {
  const emu = await startTestEmulator(t);
  await createRepo(emu.url, "user/pr");
  await commit(emu.url, "models/user/pr", [header(), fileLine("a.txt", "A")]);
  const created = await http(emu.url, "/api/models/user/pr/discussions", {
    token: ALICE_TOKEN,
    json: { title: "My PR", description: "please merge", pullRequest: true },
  });
  t.equal(created.status, 200, created.text);
  const pr = created.json<Discussion>();
  t.equal(pr.num, 1);
  t.equal(pr.isPullRequest, true);
  const refs = await http(emu.url, "/api/models/user/pr/refs?include_prs=1");
  t.same(
    refs.json<{ pullRequests: { ref: string }[] }>().pullRequests.map((r) => r.ref),
    ["refs/pr/1"],
    "refs/pr/1 exists",
  );
  // A contributor without write access commits to the PR ref, including an empty commit.
  const onPr = await commit(emu.url, "models/user/pr", [header("add b"), fileLine("b.txt", "B")], {
    rev: "refs/pr/1",
    token: ALICE_TOKEN,
  });
  t.equal(onPr.status, 200, onPr.text);
  const empty = await commit(emu.url, "models/user/pr", [header("empty")], {
    rev: "refs/pr/1",
    token: ALICE_TOKEN,
  });
  t.equal(empty.status, 200, "an empty commit on a PR ref");
  const onMain = await commit(emu.url, "models/user/pr", [header("x"), fileLine("c.txt", "C")], {
    token: ALICE_TOKEN,
  });
  t.equal(onMain.status, 403, "but not to main");
  const hub = { hubUrl: emu.url, accessToken: WRITE_TOKEN, repo: "user/pr" };
  const prFiles: string[] = [];
  for await (const f of listFiles({ ...hub, revision: "refs/pr/1" })) prFiles.push(f.path);
  t.same(prFiles.sort(), [".gitattributes", "a.txt", "b.txt"], "the PR ref holds main + its commits");
  const mainFiles: string[] = [];
  for await (const f of listFiles(hub)) mainFiles.push(f.path);
  t.same(mainFiles.sort(), [".gitattributes", "a.txt"], "main is untouched");

  const discussion = await http(emu.url, "/api/models/user/pr/discussions", {
    json: { title: "A question" },
  });
  t.equal(discussion.json<Discussion>().num, 2, "discussions and PRs share numbers");
  const viaCommit = await commit(emu.url, "models/user/pr", [header("via commit"), fileLine("d.txt", "D")], {
    query: "?create_pr=1",
  });
  t.match(
    viaCommit.json<{ pullRequestUrl: string }>().pullRequestUrl,
    /\/discussions\/3$/,
    "create_pr=1 takes the next number",
  );
  const list = (await http(emu.url, "/api/models/user/pr/discussions")).json<{
    discussions: Discussion[];
    count: number;
  }>();
  t.equal(list.count, 3);
  t.same(
    list.discussions.map((d) => [d.num, d.isPullRequest, d.status]),
    [
      [3, true, "open"],
      [2, false, "open"],
      [1, true, "open"],
    ],
  );
  const details = (await http(emu.url, "/api/models/user/pr/discussions/1")).json<{
    title: string;
    author: { name: string };
    changes: { base: string };
    events: unknown[];
  }>();
  t.equal(details.title, "My PR");
  t.equal(details.author.name, "alice");
  t.equal(details.changes.base, "refs/heads/main", "target branch");
  t.equal(details.events.length, 1, "the opening comment");

  assertRefused(t, await http(emu.url, "/api/models/user/pr/discussions/99"), 404, "NotFound");
  assertRefused(
    t,
    await http(emu.url, "/api/models/user/pr/discussions", { json: { title: "" } }),
    400,
    "BadRequest",
  );
  assertRefused(
    t,
    await http(emu.url, "/api/models/user/pr/discussions", { json: { title: "abc", pullRequest: "yes" } }),
    400,
    "BadRequest",
  );
  t.equal(
    (await http(emu.url, "/api/models/user/pr/discussions", { body: "{" })).status,
    400,
    "malformed JSON",
  );
  const anon = await http(emu.url, "/api/models/user/pr/discussions", {
    token: null,
    json: { title: "abc" },
  });
  t.equal(anon.status, 401, "opening a discussion needs a token");
  assertRefused(t, await http(emu.url, "/api/models/user/nope/discussions"), 404, "RepoNotFound");
});

t.test("a create_pr PR keeps its opening commit's title and author; the listing pages by p", async (t) => {
  const emu = await startTestEmulator(t, { pageSize: 2 });
  await createRepo(emu.url, "user/pr-pages");
  const opened = await commit(
    emu.url,
    "models/user/pr-pages",
    [header("Add weights"), fileLine("w.txt", "W")],
    {
      query: "?create_pr=1",
      token: ALICE_TOKEN,
    },
  );
  t.equal(opened.status, 200, opened.text);
  const later = await commit(
    emu.url,
    "models/user/pr-pages",
    [header("Fix weights"), fileLine("w.txt", "V")],
    {
      rev: "refs/pr/1",
      token: ALICE_TOKEN,
    },
  );
  t.equal(later.status, 200, later.text);
  for (const title of ["Second", "Third"]) {
    await http(emu.url, "/api/models/user/pr-pages/discussions", { json: { title } });
  }
  type Page = { discussions: Discussion[]; count: number; start: number };
  const pages: Page[] = [];
  for (let p = 0; p < 3; p++) {
    pages.push((await http(emu.url, `/api/models/user/pr-pages/discussions?p=${p}`)).json<Page>());
  }
  t.same(
    pages.map((page) => [page.start, page.count, page.discussions.map((d) => d.num)]),
    [
      [0, 3, [3, 2]],
      [2, 3, [1]],
      [4, 3, []],
    ],
    "newest first, pageSize per page, start and count as huggingface_hub reads them",
  );
  const pr = pages[1]?.discussions[0];
  t.equal(pr?.title, "Add weights", "the title is the opening commit's summary, not the latest one's");
  t.equal(pr?.author.name, "alice");
  assertRefused(t, await http(emu.url, "/api/models/user/pr-pages/discussions?p=x"), 400, "BadRequest");
});
