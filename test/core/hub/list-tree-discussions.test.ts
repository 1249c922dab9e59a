import t from "tap";
import { nextLink } from "../../../core/hub/list-tree.js";
import { UndiciHubClient } from "../../../core/hub/undici-hub-client.js";
import { startEmulator } from "../../../emulator/start-emulator.js";

const TOKEN = "hf_listTreeToken1";

// The two listings --delete GLOB and --create-pr's reconciliation read: every page of a recursive
// tree (Link: <…>; rel="next"), and discussions by page index (start/count), against the emulator
// with tiny pages.
t.test("listTree follows every Link page; listDiscussions every p page; commit create_pr", async (t) => {
  const emu = await startEmulator({ tokens: [`${TOKEN}:write:user`], pageSize: 2 });
  const client = new UndiciHubClient({ endpoint: emu.url, token: async () => TOKEN });
  t.teardown(async () => {
    await client.close();
    await emu.close();
  });
  const repo = { type: "model" as const, id: "user/lists" };
  await client.createRepo(repo, { existOk: false });
  const paths = ["a.txt", "d/b.txt", "d/e/c.txt", "d/e/f.txt", "d/g.txt", "z.txt"];
  await client.commit(repo, "main", {
    summary: "seed",
    operations: paths.map((p) => ({ kind: "file" as const, path: p, content: Buffer.from(p) })),
  });

  const pages: string[][] = [];
  for await (const page of client.listTree(repo, "main", { path: "d" })) pages.push(page.map((e) => e.path));
  t.ok(pages.length >= 2, `several pages (${pages.length})`);
  t.same(
    pages.flat().filter((p) => p.includes(".txt")),
    ["d/b.txt", "d/e/c.txt", "d/e/f.txt", "d/g.txt"],
    "every file under the prefix, once",
  );
  const missing: unknown[] = [];
  for await (const page of client.listTree(repo, "main", { path: "nope" })) missing.push(...page);
  t.same(missing, [], "a missing folder lists nothing");

  const first = await client.commit(repo, "main", {
    summary: "Open it",
    createPr: true,
    operations: [{ kind: "file", path: "pr.txt", content: Buffer.from("pr") }],
  });
  t.same(first.pullRequest, { num: 1, url: `${emu.url}/user/lists/discussions/1` }, "pullRequestUrl parsed");
  const second = await client.commit(repo, "main", {
    summary: "Open another",
    createPr: true,
    operations: [{ kind: "file", path: "pr2.txt", content: Buffer.from("pr2") }],
  });
  t.equal(second.pullRequest?.num, 2);
  await client.commit(repo, "main", {
    summary: "Third",
    createPr: true,
    operations: [{ kind: "file", path: "pr3.txt", content: Buffer.from("pr3") }],
  });
  const listed: Array<[number, string, boolean]> = [];
  let discussionPages = 0;
  for await (const page of client.listDiscussions(repo)) {
    discussionPages += 1;
    listed.push(...page.map((d): [number, string, boolean] => [d.num, d.title, d.isPullRequest]));
  }
  t.equal(discussionPages, 2, "pages of 2");
  t.same(listed, [
    [3, "Third", true],
    [2, "Open another", true],
    [1, "Open it", true],
  ]);
});

t.test("nextLink reads the Hub's Link header form", async (t) => {
  t.equal(nextLink('<https://hf.co/api/x?cursor=abc>; rel="next"'), "https://hf.co/api/x?cursor=abc");
  t.equal(nextLink(undefined), null);
  t.equal(nextLink('<https://hf.co/api/x>; rel="prev"'), null, "not a next page");
});
