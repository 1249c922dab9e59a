import t from "tap";
import { HubError } from "../../../core/hub/hub-error.js";
import { LazyHubClient } from "../../../core/hub/lazy-hub-client.js";
import { startEmulator } from "../../../emulator/start-emulator.js";

const TOKEN = "hf_lazyClientToken1";

// The engine's default Hub client loads undici and the real client on its first call (issue 16
// item 2: a restart with nothing to send never calls it). These pin that it loads only then, and
// that calls, listings (async iterables) and errors pass through unchanged.
t.test("nothing is loaded until the first call; calls, pages and errors pass through", async (t) => {
  const emu = await startEmulator({ tokens: [`${TOKEN}:write:user`], pageSize: 2 });
  const client = new LazyHubClient({ endpoint: `${emu.url}/`, token: async () => TOKEN });
  t.teardown(() => emu.close());
  t.equal(client.endpoint, emu.url, "the endpoint is normalised as the real client does");
  t.equal(client.loaded, false, "constructing it loads nothing");

  const repo = { type: "model" as const, id: "user/lazy" };
  const { url } = await client.createRepo(repo, { existOk: false });
  t.equal(client.loaded, true, "the first call loads the client");
  t.match(url, /user\/lazy$/);
  t.equal((await client.whoami()).name, "user");
  const paths = ["a.txt", "d/b.txt", "d/c.txt", "d/e.txt"];
  await client.commit(repo, "main", {
    summary: "seed",
    operations: paths.map((p) => ({ kind: "file" as const, path: p, content: Buffer.from(p) })),
  });
  const pages: string[][] = [];
  for await (const page of client.listTree(repo, "main", { path: "d" })) pages.push(page.map((e) => e.path));
  t.ok(pages.length >= 2, `every page of the listing (${pages.length})`);
  t.same(pages.flat().sort(), ["d/b.txt", "d/c.txt", "d/e.txt"]);
  await t.rejects(
    client.repoInfo({ type: "model", id: "user/missing" }, "main"),
    HubError,
    "errors as they are",
  );
  await client.close();
});

t.test("closing a client that never made a call opens nothing and resolves", async (t) => {
  const client = new LazyHubClient({ endpoint: "http://127.0.0.1:9", token: async () => TOKEN });
  await client.close();
  t.equal(client.loaded, false);
});
