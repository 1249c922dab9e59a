import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import t from "tap";
import type { JobStatusJson } from "../../daemon/job-status-json.js";
import { startEmulator } from "../../emulator/start-emulator.js";
import { writeTree } from "../helpers/folder-tree.js";
import { makeDaemonHome, waitForJob } from "./fixtures/daemon-home.js";
import { rawRequest } from "./fixtures/raw-request.js";

const ENV_TOKEN = "hf_envsecret7b1d9c";
const FILE_TOKEN = "hf_filesecret3e8a2f";
const BAD_TOKEN = "sk_notahubtoken94c1";
const SECRETS = [ENV_TOKEN, FILE_TOKEN, BAD_TOKEN];

t.test("tokens never reach the journal, the log, the API answers or any argv", async (t) => {
  const emulator = await startEmulator({ tokens: [`${ENV_TOKEN}:write:user`, `${FILE_TOKEN}:write:user`] });
  const h = makeDaemonHome();
  t.teardown(async () => {
    await h.cli(["daemon", "stop"]);
    await h.cleanup();
    await emulator.close();
  });
  const pid = await h.start({ HF_TOKEN: ENV_TOKEN, HUBPUSH_LOG_LEVEL: "debug" });
  const folder = path.join(h.root, "data");
  writeTree(folder, { "a.txt": "a", "b/c.txt": "c" });
  const tokenFile = path.join(h.root, "token");
  writeFileSync(tokenFile, `${FILE_TOKEN}\n`);
  const badTokenFile = path.join(h.root, "bad-token");
  writeFileSync(badTokenFile, BAD_TOKEN);

  const add = (body: Record<string, unknown>) =>
    h.client.request<{ job: JobStatusJson }>("POST", "/v1/jobs/add", {
      folder,
      endpoint: emulator.url,
      ...body,
    });
  const fromEnv = (await add({ repo: "user/env" })).job;
  const fromFile = (await add({ repo: "user/file", tokenFile })).job;
  const bad = (await add({ repo: "user/bad", tokenFile: badTokenFile })).job;
  t.equal((await waitForJob(h.client, fromEnv.id, ["done", "blocked"])).state, "done");
  t.equal((await waitForJob(h.client, fromFile.id, ["done", "blocked"])).state, "done");
  const blocked = await waitForJob(h.client, bad.id, ["done", "blocked"]);
  t.equal(blocked.state, "blocked");
  t.equal(blocked.blocked?.code, "ERR_TOKEN_INVALID", "an invalid token blocks the job, saying why");

  const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
  t.match(cmdline, /daemon\0run/, "this is the daemon's argv");
  const answers = [
    (await rawRequest(h.paths.socket, "GET", "/v1/jobs/list")).text,
    (await rawRequest(h.paths.socket, "GET", "/v1/events/list?since=0&limit=10000")).text,
    (await rawRequest(h.paths.socket, "GET", "/v1/metrics")).text,
    (await rawRequest(h.paths.socket, "GET", "/v1/settings/get")).text,
  ];
  t.equal((await h.cli(["daemon", "stop"])).code, 0);

  const stateFiles = readdirSync(h.paths.home, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
  t.ok(
    stateFiles.includes(h.paths.journal) && stateFiles.includes(h.paths.logFile),
    "journal and log were written",
  );
  const log = readFileSync(h.paths.logFile, "utf8");
  t.match(log, /"level":20/, "the log ran at debug level");
  for (const secret of SECRETS) {
    t.notOk(cmdline.includes(secret), `${secret.slice(0, 5)}… not in /proc/<pid>/cmdline`);
    for (const file of stateFiles) {
      t.notOk(
        readFileSync(file).includes(secret),
        `${secret.slice(0, 5)}… not in ${path.relative(h.root, file)}`,
      );
    }
    for (const answer of answers)
      t.notOk(answer.includes(secret), `${secret.slice(0, 5)}… not in API answers`);
  }
});
