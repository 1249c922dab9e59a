import { mkdirSync } from "node:fs";
import path from "node:path";
import t, { type Test } from "tap";
import { makeDaemonHome } from "../daemon/fixtures/daemon-home.js";
import { errorCode, rawRequest } from "../daemon/fixtures/raw-request.js";
import { bluntPost } from "./fixtures/blunt-post.js";
import { slowClient } from "./fixtures/slow-clients.js";

// Hostile or broken clients against a real daemon process: none of them may stop it from answering
// others, and each gets an error answer with a code (or is dropped).
const h = makeDaemonHome();
t.teardown(async () => {
  await h.cli(["daemon", "stop"]);
  await h.cleanup();
});
const pid = await h.start();
const folder = path.join(h.root, "data");
mkdirSync(folder);

const codeOf = (json: unknown) => errorCode({ status: 0, headers: {}, text: "", json });

async function stillAnswers(t: Test, what: string): Promise<void> {
  const v = await h.client.request<{ pid: number }>("GET", "/v1/version");
  t.equal(v.pid, pid, `the daemon still answers (${what})`);
}

t.test("10 MB bodies are refused with 413 before they are read, and cost the daemon nothing", async (t) => {
  const TEN_MB = 10 * 1024 * 1024;
  const announced = await bluntPost(h.paths.socket, "/v1/jobs/add", TEN_MB, {
    framing: "content-length",
    send: false,
  });
  t.equal(announced.status, 413, "refused on its Content-Length alone, before any byte of it");
  t.equal(codeOf(announced.json), "ERR_CONTROL_BODY_TOO_LARGE");
  t.match(announced.headers, /^connection: close$/im, "and the connection is closed");
  // Sent anyway: the daemon closes with the body unread (the reset may swallow its 413). Anything
  // else (200, 400 for the body's content) would mean it read and parsed the 10 MB.
  for (const framing of ["content-length", "chunked"] as const) {
    const sent = await bluntPost(h.paths.socket, "/v1/settings/update", TEN_MB, { framing, send: true });
    t.ok(sent.status === 413 || sent.status === 0, `${framing}: refused or dropped (${sent.status})`);
    if (sent.status === 413) t.equal(codeOf(sent.json), "ERR_CONTROL_BODY_TOO_LARGE");
  }
  const settings = await h.client.request<{ settings: { uploadWorkers: number } }>("GET", "/v1/settings/get");
  t.equal(settings.settings.uploadWorkers, 4, "settings untouched");
  await stillAnswers(t, "after three 10 MB bodies");
});

t.test("malformed JSON gets 400 ERR_CONTROL_BAD_REQUEST and changes nothing", async (t) => {
  const bodies: Array<[string, string | Buffer]> = [
    ["not JSON", "{not json"],
    ["truncated", `{"folder":${JSON.stringify(folder)},"repo":`],
    // Invalid bytes decode to U+FFFD; outside a string that is not JSON.
    ["invalid UTF-8", Buffer.from([0x7b, 0xff, 0xfe, 0x7d])],
    ["deeply nested (500 000 levels, under the size cap)", `${"[".repeat(500_000)}${"]".repeat(500_000)}`],
    ["a bare string", '"folder"'],
  ];
  for (const [what, body] of bodies) {
    const answer = await rawRequest(h.paths.socket, "POST", "/v1/jobs/add", body, {
      "content-type": "application/json",
    });
    t.equal(answer.status, 400, `${what}: 400`);
    t.equal(errorCode(answer), "ERR_CONTROL_BAD_REQUEST", `${what}: with its code`);
  }
  const smuggled = await rawRequest(
    h.paths.socket,
    "POST",
    "/v1/jobs/add",
    `{"__proto__":{"folder":${JSON.stringify(folder)},"repo":"u/x"}}`,
  );
  t.equal(smuggled.status, 400, "fields hidden under __proto__ are not read");
  t.type(errorCode(smuggled), "string", "with a code");
  const settings = await rawRequest(
    h.paths.socket,
    "POST",
    "/v1/settings/update",
    '{"__proto__":{"uploadWorkers":64}}',
  );
  t.equal(errorCode(settings), "ERR_CONTROL_BAD_REQUEST", "__proto__ is not a setting");
  const after = await h.client.request<{ settings: { uploadWorkers: number } }>("GET", "/v1/settings/get");
  t.not(after.settings.uploadWorkers, 64, "settings unchanged");
  const jobs = await h.client.request<{ jobs: unknown[] }>("GET", "/v1/jobs/list");
  t.same(jobs.jobs, [], "no job was created");
  await stillAnswers(t, "after malformed bodies");
});

t.test("slowloris: headers one byte at a time do not starve others, and are dropped", async (t) => {
  // Long enough that, at one byte per 250 ms, the headers could not finish within the daemon's
  // 10 s header timeout: the only way these connections end is the daemon dropping them.
  const request = `GET /v1/version HTTP/1.1\r\nHost: localhost\r\nX-Pad: ${"a".repeat(200)}\r\n\r\n`;
  const slow = Array.from({ length: 40 }, () => slowClient(h.paths.socket, request, 250));
  const silent = Array.from({ length: 5 }, () => slowClient(h.paths.socket, request, 3_600_000));
  t.teardown(() => {
    for (const c of [...slow, ...silent]) c.destroy();
  });
  for (let i = 0; i < 5; i++) await stillAnswers(t, `while 45 slow clients are connected, round ${i + 1}`);
  const list = await rawRequest(h.paths.socket, "GET", "/v1/jobs/list");
  t.equal(list.status, 200, "other routes too");

  const answers = await Promise.all([...slow, ...silent].map((c) => c.answer));
  for (const [i, answer] of answers.entries()) {
    t.ok(answer === "" || answer.startsWith("HTTP/1.1 408"), `slow client ${i} was dropped (408 or closed)`);
  }
  t.ok(
    slow.every((c) => c.sent() < request.length),
    "none of them got to finish its headers",
  );
  await stillAnswers(t, "after the slow clients were dropped");
});
