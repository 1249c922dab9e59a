import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { once } from "node:events";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { createRepo, downloadFile, uploadFiles } from "@huggingface/hub";
import t from "tap";
import { readAccessLog } from "../emulator/fixtures/read-access-log.js";
import { noise } from "../helpers/noise.js";
import { runCli } from "../helpers/run-cli.js";

/**
 * hubpush's Xet uploads read by a client we did not write: @huggingface/hub 2.17.5 downloads them
 * identical through its own Xet path (reconstruction + fetch) and plain resolve, and its own upload
 * of an edited version dedups against hubpush's xorbs through the global chunk query, so the formats
 * agree both ways.
 */
const TOKEN = "hf_xet_hub_interop";
const MiB = 1024 * 1024;
const root = t.testdir();
const accessLog = join(root, "access.jsonl");
let child: ChildProcess | undefined;
let url = "";

t.before(async () => {
  const script = join(root, "run.mts");
  const command = resolve(import.meta.dirname, "../../emulator/emulator-command.ts");
  writeFileSync(
    script,
    `import { emulatorCommand } from ${JSON.stringify(command)};\nprocess.exitCode = await emulatorCommand(process.argv.slice(2));\n`,
  );
  const args = [
    "--port",
    "0",
    "--token",
    `${TOKEN}:write:user`,
    "--access-log",
    accessLog,
    "--lfs-threshold",
    "0",
  ];
  child = spawn(process.execPath, ["--import", "tsx", script, ...args], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  if (!child.stdout) throw new Error("no stdout");
  [url] = (await once(createInterface({ input: child.stdout }), "line")) as [string];
});
t.teardown(async () => {
  if (!child || child.exitCode !== null) return;
  child.kill("SIGTERM");
  await once(child, "exit");
});

const sha = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");

t.test("@huggingface/hub reads hubpush's Xet files and dedups against them", async (t) => {
  const folder = join(root, "data");
  mkdirSync(folder);
  const files: Record<string, Buffer> = {
    "one.bin": Buffer.from([42]),
    "small.bin": noise(100 * 1024, 21),
    "twenty.bin": noise(20 * MiB, 22),
  };
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(folder, name), bytes);
  writeFileSync(join(root, "token"), `${TOKEN}\n`);
  const repo = "user/hubpush-xet";
  const env = { HUBPUSH_HOME: join(root, "home"), NO_COLOR: "1" };
  const args = ["upload", folder, "--repo", repo, "--endpoint", url, "--token-file", join(root, "token")];
  const run = await runCli([...args, "--transfer", "xet"], { env, timeoutMs: 180_000 });
  t.equal(run.code, 0, `hubpush uploaded with Xet\n${run.stderr}`);
  const routes = new Set((await readAccessLog(accessLog)).map((e) => e.route));
  t.ok(routes.has("xet-xorb") && !routes.has("lfs-put"), "through the CAS, not LFS");

  const hub = { hubUrl: url, accessToken: TOKEN, repo: { type: "model" as const, name: repo } };
  let mark = (await readAccessLog(accessLog)).length;
  for (const [name, bytes] of Object.entries(files)) {
    const blob = await downloadFile({ ...hub, path: name });
    t.equal(
      sha(Buffer.from((await blob?.arrayBuffer()) ?? new ArrayBuffer(0))),
      sha(bytes),
      `${name}: @huggingface/hub`,
    );
    const plain = Buffer.from(await (await fetch(`${url}/${repo}/resolve/main/${name}`)).arrayBuffer());
    t.equal(sha(plain), sha(bytes), `${name}: plain resolve`);
  }
  const reads = new Set((await readAccessLog(accessLog)).slice(mark).map((e) => e.route));
  t.ok(reads.has("xet-reconstruction") && reads.has("xet-fetch"), "@huggingface/hub downloaded through Xet");

  // An edited copy, uploaded by @huggingface/hub to another repo: its first chunk is hubpush's,
  // the dedup query answers with hubpush's shard and only the edited region is sent.
  const edited = Buffer.from(files["twenty.bin"] ?? Buffer.alloc(0));
  noise(4096, 23).copy(edited, 10 * MiB);
  await createRepo({ hubUrl: url, accessToken: TOKEN, repo: { type: "model", name: "user/hub-copy" } });
  mark = (await readAccessLog(accessLog)).length;
  await uploadFiles({
    hubUrl: url,
    accessToken: TOKEN,
    repo: { type: "model", name: "user/hub-copy" },
    useXet: true,
    files: [{ path: "twenty.bin", content: new Blob([edited]) }],
  });
  const log = (await readAccessLog(accessLog)).slice(mark);
  t.ok(
    log.some((e) => e.route === "xet-dedup" && e.status === 200),
    "the dedup query found hubpush's shard",
  );
  const sent = log
    .filter((e) => e.route === "xet-xorb" && e.method === "POST")
    .reduce((s, e) => s + e.bytesIn, 0);
  t.ok(sent < 0.1 * edited.length, `@huggingface/hub sent ${sent} bytes of xorbs for a 20 MiB edit`);
  // The same bytes hubpush uploaded: nothing to send at all.
  mark = (await readAccessLog(accessLog)).length;
  await uploadFiles({
    hubUrl: url,
    accessToken: TOKEN,
    repo: { type: "model", name: "user/hub-copy" },
    useXet: true,
    files: [{ path: "small.bin", content: new Blob([files["small.bin"] ?? Buffer.alloc(0)]) }],
  });
  t.notOk(
    (await readAccessLog(accessLog)).slice(mark).some((e) => e.route === "xet-xorb"),
    "no xorb upload for a file hubpush already uploaded",
  );
  const back = await downloadFile({
    ...hub,
    repo: { type: "model", name: "user/hub-copy" },
    path: "twenty.bin",
  });
  t.equal(
    sha(Buffer.from((await back?.arrayBuffer()) ?? new ArrayBuffer(0))),
    sha(edited),
    "the edit reads back",
  );
});
