import { writeFileSync } from "node:fs";
import path from "node:path";
import t from "tap";
import { startHarness, WRITE_TOKEN } from "../helpers/engine-harness.js";
import { startRecordingProxy } from "./recording-proxy.js";

// Issue 12 §1: `private` is sent only when the user chose; otherwise the org's default applies.

async function isPrivate(endpoint: string, type: string, id: string): Promise<boolean | number> {
  const res = await fetch(`${endpoint}/api/${type}s/${id}`, {
    headers: { authorization: `Bearer ${WRITE_TOKEN}` },
  });
  if (res.status !== 200) return res.status;
  return ((await res.json()) as { private: boolean }).private;
}

t.test("visibility: default follows the org, --private and --public are sent as chosen", async (t) => {
  const h = await startHarness({ emulator: { orgs: ["acme:private-by-default"] } });
  t.teardown(() => h.close());
  writeFileSync(path.join(h.folder, "a.txt"), "hello\n");
  for (const [repo, extra, expected, sent] of [
    ["acme/by-default", {}, true, undefined],
    ["acme/chosen-public", { public: true }, false, false],
    ["acme/chosen-private", { private: true }, true, true],
    ["user/plain", {}, false, undefined],
  ] as const) {
    const proxy = await startRecordingProxy(h.emulator.url, repo);
    t.teardown(() => proxy.close());
    const job = h.add(repo, { endpoint: proxy.url, ...extra });
    const settled = await h.engine.whenSettled(job.id);
    t.equal(settled.state, "done", `${repo}: done`);
    t.equal(await isPrivate(h.emulator.url, "model", repo), expected, `${repo}: private = ${expected}`);
    const create = proxy.calls.find((c) => c.route === "POST /api/repos/create");
    t.ok(create, `${repo}: create repo was called`);
    t.equal(create?.body?.private, sent, `${repo}: private sent as ${String(sent)}`);
    if (sent === undefined) t.notOk(create?.keys?.includes("private"), `${repo}: no private key at all`);
  }
});

t.test("a Space is created with the chosen sdk, gradio by default", async (t) => {
  const h = await startHarness();
  t.teardown(() => h.close());
  writeFileSync(path.join(h.folder, "app.py"), "print('hi')\n");
  for (const [repo, extra, sdk] of [
    ["user/space-default", {}, "gradio"],
    ["user/space-docker", { spaceSdk: "docker" }, "docker"],
  ] as const) {
    const proxy = await startRecordingProxy(h.emulator.url, repo);
    t.teardown(() => proxy.close());
    const job = h.add(repo, { endpoint: proxy.url, repoType: "space", ...extra });
    const settled = await h.engine.whenSettled(job.id);
    t.equal(settled.state, "done", `${repo}: done (the emulator refuses a Space without sdk)`);
    const create = proxy.calls.find((c) => c.route === "POST /api/repos/create");
    t.equal(create?.body?.sdk, sdk, `${repo}: sdk ${sdk}`);
    const info = await fetch(`${h.emulator.url}/api/spaces/${repo}`, {
      headers: { authorization: `Bearer ${WRITE_TOKEN}` },
    });
    t.equal(info.status, 200, `${repo} exists`);
  }
  const model = await startRecordingProxy(h.emulator.url, "user/model-no-sdk");
  t.teardown(() => model.close());
  await h.engine.whenSettled(h.add("user/model-no-sdk", { endpoint: model.url }).id);
  const create = model.calls.find((c) => c.route === "POST /api/repos/create");
  t.notOk(create?.keys?.includes("sdk"), "no sdk for a model");
});
