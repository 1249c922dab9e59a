import t from "tap";
import type { HubRepo } from "../../../core/hub/hub-client.js";
import { HubError } from "../../../core/hub/hub-error.js";
import { UndiciHubClient } from "../../../core/hub/undici-hub-client.js";
import { startEmulator } from "../../../emulator/start-emulator.js";
import { recordServer } from "./record-server.js";

// Issue 12 §5: the Hub redirects calls about a renamed or moved repo.
const WRITE = "hf_redirectWriteToken1";

async function failure(promise: Promise<unknown>): Promise<HubError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof HubError) return err;
    throw err;
  }
  throw new Error("expected a rejection");
}

t.test(
  "a moved repo: calls follow the 307, the move is reported, a streamed commit is re-sent",
  async (t) => {
    const emu = await startEmulator({ tokens: [`${WRITE}:write:user`] });
    t.teardown(() => emu.close());
    const moves: Array<[string, string]> = [];
    const onRepoMoved = (from: HubRepo, to: HubRepo) => {
      moves.push([from.id, to.id]);
    };
    const setup = new UndiciHubClient({ endpoint: emu.url, token: async () => WRITE });
    t.teardown(() => setup.close());
    const old = { type: "model" as const, id: "user/old-name" };
    await setup.createRepo(old, { existOk: false });
    const moved = await fetch(`${emu.url}/api/repos/move`, {
      method: "POST",
      headers: { authorization: `Bearer ${WRITE}`, "content-type": "application/json" },
      body: JSON.stringify({ fromRepo: "user/old-name", toRepo: "user/new-name", type: "model" }),
    });
    t.equal(moved.status, 200, await moved.text());

    const reader = new UndiciHubClient({ endpoint: emu.url, token: async () => WRITE, onRepoMoved });
    t.teardown(() => reader.close());
    const info = await reader.repoInfo(old, "main");
    t.equal(info.id, "user/new-name", "repo info followed the redirect");
    t.same(moves, [["user/old-name", "user/new-name"]], "the move is reported once");
    const answers = await reader.preupload(old, "main", [{ path: "a.txt", sample: "", size: 1 }]);
    t.equal(answers.length, 1, "later calls go to the new name");

    const writer = new UndiciHubClient({ endpoint: emu.url, token: async () => WRITE, onRepoMoved });
    t.teardown(() => writer.close());
    const request = {
      summary: "after the move",
      operations: [{ kind: "file" as const, path: "a.txt", content: Buffer.from("a") }],
    };
    const first = await failure(writer.commit(old, "main", request));
    t.match(
      first,
      { code: "ERR_HUB_REDIRECT", retryable: true },
      "a streamed commit is not re-sent in place",
    );
    const second = await writer.commit(old, "main", request);
    t.match(second.commitUrl, /new-name/, "the next attempt goes to the new name");
  },
);

t.test("a redirect loop and a redirect to another origin fail clearly, the token never leaves", async (t) => {
  const other = await recordServer((_req, res) => {
    res.writeHead(200, { "content-type": "application/json" }).end("{}");
  });
  t.teardown(() => other.close());
  const hub = await recordServer((req, res) => {
    const to = req.url.startsWith("/api/models/user/loop") ? req.url : `${other.url}${req.url}`;
    res.writeHead(307, { location: to }).end();
  });
  t.teardown(() => hub.close());
  const client = new UndiciHubClient({ endpoint: hub.url, token: async () => WRITE });
  t.teardown(() => client.close());
  const loop = await failure(client.repoInfo({ type: "model", id: "user/loop" }, "main"));
  t.match(loop, { code: "ERR_HUB_REDIRECT", retryable: false, message: /in a loop/ });
  const away = await failure(client.repoInfo({ type: "model", id: "user/away" }, "main"));
  t.match(away, { code: "ERR_HUB_REDIRECT", retryable: false, message: /another origin/ });
  t.notMatch(away.message, WRITE);
  t.equal(other.requests.length, 0, "nothing was sent to the other origin");
  t.ok(hub.requests.length <= 7, "at most 5 hops were followed");
});
