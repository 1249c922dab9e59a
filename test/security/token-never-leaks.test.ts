import { once } from "node:events";
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import t from "tap";
import type { JobStatusJson } from "../../daemon/job-status-json.js";
import { startEmulator } from "../../emulator/start-emulator.js";
import type { EventRecord } from "../../storage/journal.js";
import { makeDaemonHome, waitFor, waitForJob } from "../daemon/fixtures/daemon-home.js";
import { rawRequest } from "../daemon/fixtures/raw-request.js";
import { writeTree } from "../helpers/folder-tree.js";
import { runCli, spawnCli } from "../helpers/run-cli.js";
import { startEchoHub } from "./fixtures/echo-hub.js";
import { filesLeaking, filesUnder, leaksSecret, SECRET_TOKEN } from "./fixtures/secret-search.js";

t.test(
  "the token never reaches the journal (+WAL), logs, events, metrics, argv or error messages",
  async (t) => {
    const emulator = await startEmulator({ tokens: [`${SECRET_TOKEN}:write:user`], lfsThresholdBytes: 1024 });
    const echo401 = await startEchoHub(401, "header");
    const echo403 = await startEchoHub(403, "json");
    const echo500 = await startEchoHub(500, "text");
    const h = makeDaemonHome();
    let daemonPid = 0;
    t.teardown(async () => {
      // Never leave the daemon stopped (SIGSTOP below) if an assertion threw in between.
      try {
        if (daemonPid !== 0) process.kill(daemonPid, "SIGCONT");
      } catch {
        // Already gone.
      }
      await h.cli(["daemon", "stop"]);
      await h.cleanup();
      for (const server of [echo401, echo403, echo500, emulator]) await server.close();
    });
    const env = { ...h.env, HF_TOKEN: SECRET_TOKEN };
    const folder = path.join(h.root, "data");
    writeTree(folder, { "a.txt": "a", "sub/b.txt": "b", "big.bin": Buffer.alloc(64 * 1024, 7) });
    daemonPid = await h.start({
      HF_TOKEN: SECRET_TOKEN,
      HUBPUSH_LOG_LEVEL: "debug",
      HUBPUSH_TUNING: JSON.stringify({ backoffBaseMs: 50, backoffCapMs: 200 }),
    });

    // `hubpush add` while the daemon is stopped (SIGSTOP): the client waits, so its argv is read
    // from a live process.
    process.kill(daemonPid, "SIGSTOP");
    const add = spawnCli(["add", folder, "--repo", "user/ok", "--endpoint", emulator.url], { env });
    let addOut = "";
    add.stdout?.setEncoding("utf8").on("data", (c: string) => {
      addOut += c;
    });
    add.stderr?.setEncoding("utf8").on("data", (c: string) => {
      addOut += c;
    });
    await once(add, "spawn");
    const addArgv = readFileSync(`/proc/${add.pid}/cmdline`, "utf8");
    process.kill(daemonPid, "SIGCONT");
    const [addCode] = (await once(add, "exit")) as [number | null];
    t.match(addArgv, /\0add\0/, "read the argv of the running `hubpush add`");
    t.notOk(leaksSecret(addArgv), "not in /proc/<pid>/cmdline of `hubpush add`");
    t.equal(addCode, 0, "add succeeded with the token only in the environment");
    t.notOk(leaksSecret(addOut), "not in the output of `hubpush add`");

    const addJob = async (repo: string, endpoint: string) =>
      (await h.client.request<{ job: JobStatusJson }>("POST", "/v1/jobs/add", { folder, repo, endpoint }))
        .job;
    const { jobs } = await h.client.request<{ jobs: JobStatusJson[] }>("GET", "/v1/jobs/list");
    const ok = jobs[0];
    if (ok === undefined) throw new Error("the job added by `hubpush add` is missing");
    const refused = await addJob("user/refused", echo401.url);
    const forbidden = await addJob("user/forbidden", echo403.url);
    const failing = await addJob("user/failing", echo500.url);

    t.equal((await waitForJob(h.client, ok.id, ["done", "blocked"])).state, "done", "the real upload worked");
    const r401 = await waitForJob(h.client, refused.id, ["blocked"]);
    const r403 = await waitForJob(h.client, forbidden.id, ["blocked"]);
    // Each answer was read and quoted, with the token replaced: the echo did reach the messages.
    t.match(r401.blocked, { code: "ERR_HUB_UNAUTHORIZED", message: /bad credentials: Bearer <token>/ });
    t.match(r403.blocked, { code: "ERR_HUB_FORBIDDEN", message: /invalid token <token>/ });
    const r500 = await waitFor("a few retried 500s", async () => {
      const { job } = await h.client.request<{ job: JobStatusJson }>("GET", `/v1/jobs/get?id=${failing.id}`);
      return echo500.answered >= 3 && job.lastError !== null ? job : undefined;
    });
    t.match(r500.lastError, {
      code: "ERR_HUB_SERVER",
      message: /authorization=Bearer <token> \(token <token>\)/,
    });

    const answers: Array<[string, string]> = [];
    for (const route of [
      "/v1/jobs/list",
      ...[ok, refused, forbidden, failing].map((j) => `/v1/jobs/get?id=${j.id}`),
      "/v1/events/list?since=0&limit=10000",
      "/v1/metrics",
      "/v1/settings/get",
      "/v1/version",
    ]) {
      answers.push([route, (await rawRequest(h.paths.socket, "GET", route)).text]);
    }
    const streamed: EventRecord[] = [];
    const last = (await h.client.request<{ lastId: number }>("GET", "/v1/events/list?since=0&limit=1"))
      .lastId;
    const stop = new AbortController();
    await h.client.streamEvents(
      0,
      (e) => {
        streamed.push(e);
        if (e.id >= last) stop.abort();
      },
      stop.signal,
    );
    answers.push(["/v1/events/stream", JSON.stringify(streamed)]);
    t.ok(
      streamed.some((e) => e.type === "job.blocked"),
      "the events include the blocked jobs' errors",
    );
    // The CLI's renderings (its JSON is the API answers above).
    for (const args of [["status"], ["status", String(failing.id)], ["logs"]]) {
      const out = await h.cli(args, { HF_TOKEN: SECRET_TOKEN });
      answers.push([`hubpush ${args.join(" ")}`, out.stdout + out.stderr]);
    }
    for (const [what, text] of answers) t.notOk(leaksSecret(text), `not in ${what}`);

    const daemonArgv = readFileSync(`/proc/${daemonPid}/cmdline`, "utf8");
    t.match(daemonArgv, /\0daemon\0run\0/, "read the daemon's argv");
    t.notOk(leaksSecret(daemonArgv), "not in /proc/<pid>/cmdline of the daemon");

    // While the daemon runs, recent transactions live in the WAL: search it as it is now.
    const wal = `${h.paths.journal}-wal`;
    t.ok(existsSync(wal) && statSync(wal).size > 0, "the journal's WAL holds data");
    t.ok(filesUnder(h.paths.home).includes(h.paths.logFile), "the daemon log is there");
    t.same(filesLeaking(h.paths.home), [], "no state file holds it while the daemon runs");
    t.equal((await h.cli(["daemon", "stop"])).code, 0);
    daemonPid = 0;

    // The one-shot upload: its error on stderr, its upload.log, the same journal.
    const upload = await runCli(["upload", folder, "--repo", "user/once", "--endpoint", echo401.url], {
      env,
    });
    t.equal(upload.code, 4, "hubpush upload stops on the 401");
    t.match(upload.stderr + upload.stdout, /Bearer <token>/, "quoting the Hub, token replaced");
    t.notOk(leaksSecret(upload.stdout + upload.stderr), "not in the output of `hubpush upload`");
    // Someone used to `huggingface-cli --token`: the refusal must not print the value back.
    const flag = await runCli(["upload", folder, "--repo", "user/once", `--token=${SECRET_TOKEN}`], { env });
    t.equal(flag.code, 2, "--token is not an option");
    t.match(flag.stderr, /unknown option '--token=/);
    t.notOk(leaksSecret(flag.stderr), "and the refusal does not echo its value");
    t.ok(
      filesUnder(h.paths.home).includes(path.join(h.paths.logDir, "upload.log")),
      "upload.log was written",
    );
    t.same(filesLeaking(h.paths.home), [], "no state file holds it at the end");
  },
);
