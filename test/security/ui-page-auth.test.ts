import { statSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import t from "tap";
import type { JobStatusJson } from "../../daemon/job-status-json.js";
import { uiStatePath } from "../../daemon/ui-state.js";
import { startEmulator } from "../../emulator/start-emulator.js";
import { makeDaemonHome, WRITE_TOKEN, waitForJob } from "../daemon/fixtures/daemon-home.js";
import { writeTree } from "../helpers/folder-tree.js";
import { parseUiUrl, uiRequest } from "../ui/fixtures/ui-http.js";

// The status page's guard against a real daemon process: every route refuses without the right
// token, other origins and hosts are refused, bad bodies and actions on finished jobs change nothing.
t.test("the status page guard, against a real daemon", async (t) => {
  const emulator = await startEmulator({ tokens: [`${WRITE_TOKEN}:write:user`] });
  const h = makeDaemonHome();
  t.teardown(async () => {
    await h.cli(["daemon", "stop"]);
    await h.cleanup();
    await emulator.close();
  });
  await h.start({ HF_TOKEN: WRITE_TOKEN });
  const folder = path.join(h.root, "secret-folder-name");
  writeTree(folder, { "a.txt": "a", "b.txt": "b" });
  const added = await h.cli(["add", folder, "--repo", "user/sec", "--endpoint", emulator.url]);
  const jobId = Number(added.stdout.trim());
  await waitForJob(h.client, jobId, ["done"]);

  const ROUTES: Array<["GET" | "POST", string]> = [
    ["GET", "/"],
    ["GET", "/ui/app.js"],
    ["GET", "/ui/chart.js"],
    ["GET", "/ui/format.js"],
    ["GET", "/ui/style.css"],
    ["GET", "/api/v1/jobs/list"],
    ["GET", `/api/v1/jobs/get?id=${jobId}`],
    ["GET", `/api/v1/jobs/history?id=${jobId}`],
    ["GET", "/api/v1/settings/get"],
    ["GET", "/api/v1/version"],
    ["GET", "/api/v1/events/list"],
    ["GET", "/api/v1/events/stream?since=0"],
    ["POST", "/api/v1/jobs/pause"],
    ["POST", "/api/v1/jobs/resume"],
    ["POST", "/api/v1/jobs/cancel"],
    ["POST", "/api/v1/jobs/retry"],
    ["POST", "/api/v1/settings/update"],
    ["GET", "/no/such/route"],
  ];

  async function jobState(): Promise<string> {
    return (await h.client.request<{ job: JobStatusJson }>("GET", `/v1/jobs/get?id=${jobId}`)).job.state;
  }

  const before = await h.client.request<{ ui: { running: boolean } }>("GET", "/v1/ui/status");
  t.equal(before.ui.running, false, "the page is off until `hubpush ui` asks for it");
  const first = await h.cli(["ui"]);
  t.equal(first.code, 0, first.stderr);
  const { port, token } = parseUiUrl(first.stdout.trim());

  await t.test("ui.json holding the token is the user's alone", async (t) => {
    t.equal(statSync(uiStatePath(h.paths.home)).mode & 0o777, 0o600);
  });

  await t.test("with the token the page and its API answer", async (t) => {
    const page = await uiRequest(port, `/?token=${token}`);
    t.equal(page.status, 200);
    t.match(page.headers["content-security-policy"], /default-src 'none'/);
    t.match(page.headers["content-security-policy"], /script-src 'self'/);
    const list = await uiRequest(port, "/api/v1/jobs/list", { headers: { "x-hubpush-token": token } });
    t.equal(list.status, 200);
    t.match(list.text, /secret-folder-name/);
  });

  await t.test("without the token, or with a wrong one, every route answers 401 with no data", async (t) => {
    const wrong = `${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`;
    for (const [method, route] of ROUTES) {
      for (const variant of ["none", "wrong-header", "wrong-query"] as const) {
        const sep = route.includes("?") ? "&" : "?";
        const target = variant === "wrong-query" ? `${route}${sep}token=${wrong}` : route;
        const headers: Record<string, string> =
          variant === "wrong-header" ? { "x-hubpush-token": wrong, "content-type": "application/json" } : {};
        const answer = await uiRequest(port, target, {
          method,
          headers,
          ...(method === "POST" ? { body: JSON.stringify({ id: jobId }) } : {}),
          readMs: 1_000,
        });
        t.equal(answer.status, 401, `${method} ${route} (${variant})`);
        t.notMatch(
          answer.text,
          /secret-folder-name|user\/sec/,
          `${method} ${route} (${variant}) shows no data`,
        );
        t.equal(answer.headers["access-control-allow-origin"], undefined, "never a CORS header");
        t.match(answer.headers["content-security-policy"] ?? "", /default-src 'none'/, "CSP on refusals too");
      }
    }
    t.equal(await jobState(), "done", "nothing changed");
  });

  await t.test("a POST with the token in the URL instead of the header is refused", async (t) => {
    const answer = await uiRequest(port, `/api/v1/jobs/pause?token=${token}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ id: jobId }),
    });
    t.equal(answer.status, 401);
    t.match(answer.text, /X-Hubpush-Token header/);
  });

  await t.test("another Origin or Host is refused, even with the token", async (t) => {
    const evil = await uiRequest(port, "/api/v1/settings/update", {
      method: "POST",
      headers: {
        origin: "http://evil.example",
        "x-hubpush-token": token,
        "content-type": "application/json",
      },
      body: JSON.stringify({ maxRateBytesPerSec: 1 }),
    });
    t.equal(evil.status, 403);
    t.match(evil.text, /ERR_CONTROL_FORBIDDEN/);
    const rebound = await uiRequest(port, `/api/v1/jobs/list?token=${token}`, {
      headers: { host: `evil.example:${port}` },
    });
    t.equal(rebound.status, 403, "a DNS-rebinding Host is refused");
    t.notMatch(rebound.text, /secret-folder-name/);
    const settings = await h.client.request<{ settings: { maxRateBytesPerSec: number | null } }>(
      "GET",
      "/v1/settings/get",
    );
    t.equal(settings.settings.maxRateBytesPerSec, null, "the cap was not changed");
  });

  await t.test("oversized, malformed and mistyped bodies are refused and change nothing", async (t) => {
    const auth = { "x-hubpush-token": token, "content-type": "application/json" };
    const big = await uiRequest(port, "/api/v1/jobs/pause", {
      method: "POST",
      headers: auth,
      body: JSON.stringify({ id: jobId, pad: "x".repeat(64 * 1024) }),
    });
    t.equal(big.status, 413);
    const malformed = await uiRequest(port, "/api/v1/jobs/pause", {
      method: "POST",
      headers: auth,
      body: "{id:",
    });
    t.equal(malformed.status, 400);
    t.match(malformed.text, /ERR_CONTROL_BAD_REQUEST/);
    const noId = await uiRequest(port, "/api/v1/jobs/pause", { method: "POST", headers: auth, body: "[]" });
    t.equal(noId.status, 400);
    const form = await uiRequest(port, "/api/v1/jobs/pause", {
      method: "POST",
      headers: { "x-hubpush-token": token, "content-type": "application/x-www-form-urlencoded" },
      body: `id=${jobId}`,
    });
    t.equal(form.status, 400, "a form post is not an action");
    const badCap = await uiRequest(port, "/api/v1/settings/update", {
      method: "POST",
      headers: auth,
      body: JSON.stringify({ maxRateBytesPerSec: -5 }),
    });
    t.equal(badCap.status, 400);
    t.equal(await jobState(), "done");
  });

  await t.test("actions on a finished job are refused with a clear reason and change nothing", async (t) => {
    const auth = { "x-hubpush-token": token, "content-type": "application/json" };
    for (const action of ["pause", "resume", "cancel", "retry"]) {
      const answer = await uiRequest(port, `/api/v1/jobs/${action}`, {
        method: "POST",
        headers: auth,
        body: JSON.stringify({ id: jobId }),
      });
      t.equal(answer.status, 409, action);
      t.match(answer.text, /ERR_JOB_STATE/, action);
      t.match(answer.text, /is done/, action);
    }
    t.equal(await jobState(), "done");
  });

  await t.test("jobs/add and daemon shutdown are not part of the page", async (t) => {
    const auth = { "x-hubpush-token": token, "content-type": "application/json" };
    const add = await uiRequest(port, "/api/v1/jobs/add", { method: "POST", headers: auth, body: "{}" });
    t.equal(add.status, 404);
    const stop = await uiRequest(port, "/api/v1/daemon/shutdown", {
      method: "POST",
      headers: auth,
      body: "{}",
    });
    t.equal(stop.status, 404);
    const v = await h.client.request<{ pid: number }>("GET", "/v1/version");
    t.ok(v.pid > 0, "the daemon still runs");
  });

  await t.test(
    "a port that is taken is refused with a clear message; the page stays as it was",
    async (t) => {
      const blocker = net.createServer();
      await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
      t.teardown(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
      const taken = (blocker.address() as net.AddressInfo).port;
      const refused = await h.cli(["ui", "--port", String(taken)]);
      t.equal(refused.code, 1);
      t.match(refused.stderr, /ERR_UI_START|cannot listen on 127\.0\.0\.1/);
      const still = await uiRequest(port, `/api/v1/jobs/list?token=${token}`);
      t.equal(still.status, 200, "the page still answers on its port");
    },
  );

  await t.test("`ui --stop` turns the page off and its token stops working for good", async (t) => {
    const stopped = await h.cli(["ui", "--stop"]);
    t.equal(stopped.code, 0, stopped.stderr);
    await t.rejects(uiRequest(port, `/?token=${token}`), "nothing listens any more");
    const again = await h.cli(["ui", "--port", String(port)]);
    t.equal(again.code, 0, again.stderr);
    const fresh = parseUiUrl(again.stdout.trim());
    t.not(fresh.token, token, "a new token");
    const old = await uiRequest(port, `/api/v1/jobs/list?token=${token}`);
    t.equal(old.status, 401, "the old token is refused");
    const current = await uiRequest(port, `/api/v1/jobs/list?token=${fresh.token}`);
    t.equal(current.status, 200);
  });
});
