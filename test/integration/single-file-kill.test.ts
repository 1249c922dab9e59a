import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import t from "tap";
import { startEmulator } from "../../emulator/start-emulator.js";
import { openJournal } from "../../storage/sqlite-journal.js";
import { downloadRemoteFile, listRemoteFiles } from "../helpers/remote-repo.js";
import { runCli, spawnCli } from "../helpers/run-cli.js";

const TOKEN = "hf_single_kill";

interface AccessLine {
  readonly route: string;
  readonly status: number;
  readonly oid: string | null;
}

/**
 * A one-file upload is SIGKILLed at a chosen moment: its LFS object is on the Hub (the PUT answered
 * 200) and its commit has been tried but refused (the emulator answers commits 503 until the fault
 * is lifted), so the journal holds the file as `uploaded`. The same command run again resumes from
 * the journal: it neither hashes nor uploads the object again, and makes exactly one commit.
 */
t.test("upload FILE: SIGKILL after the LFS upload, before the commit, then resume", async (t) => {
  const root = mkdtempSync(path.join(tmpdir(), "hubpush-single-kill-"));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const accessLog = path.join(root, "access.log");
  const emulator = await startEmulator({
    tokens: [`${TOKEN}:write:user`],
    dataDir: path.join(root, "emu"),
    accessLog,
    faults: "route=commit,kind=status,status=503",
  });
  t.teardown(() => emulator.close());
  const tokenFile = path.join(root, "token");
  writeFileSync(tokenFile, `${TOKEN}\n`);
  const content = randomBytes(1_500_000);
  const oid = createHash("sha256").update(content).digest("hex");
  const file = path.join(root, "model.safetensors");
  writeFileSync(file, content);
  const home = path.join(root, "home");
  const env = { HUBPUSH_HOME: home, NO_COLOR: "1" };
  const args = ["upload", file, "--repo", "user/sf-kill", "--path-in-repo", "w/model.bin"];
  // This case watches the LFS PUT: it pins --transfer lfs (Xet resume: xet-kill.test.ts).
  const fullArgs = [...args, "--endpoint", emulator.url, "--token-file", tokenFile, "--transfer", "lfs"];
  const log = (): AccessLine[] =>
    existsSync(accessLog)
      ? readFileSync(accessLog, "utf8")
          .split("\n")
          .filter((l) => l !== "")
          .map((l) => JSON.parse(l) as AccessLine)
      : [];

  const child = spawnCli(fullArgs, { env });
  child.stdout?.resume();
  child.stderr?.resume();
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.on("exit", (_c, signal) => resolve(signal)),
  );
  // The moment: the object stored, a commit tried and refused.
  const deadline = Date.now() + 60_000;
  for (;;) {
    const lines = log();
    const stored = lines.some((l) => l.route === "lfs-put" && l.status === 200 && l.oid === oid);
    if (stored && lines.some((l) => l.route === "commit" && l.status === 503)) break;
    if (Date.now() > deadline) throw new Error("the upload never reached its commit");
    await sleep(25);
  }
  child.kill("SIGKILL");
  t.equal(await exited, "SIGKILL", "killed while running");
  const before = log().length;

  const journal = openJournal(path.join(home, "journal.sqlite"));
  try {
    const [job] = journal.jobs.list();
    t.equal(job?.kind, "file");
    const files = journal.files.list(job?.id ?? 0);
    t.same(
      files.map((f) => [f.path, f.uploadMode, f.hashCount]),
      [["model.safetensors", "lfs", 1]],
    );
    // uploaded (the refused commit was reconciled and waits for its retry) or committing (a commit
    // in flight, which the next run reconciles against the Hub before sending anything).
    t.match(files[0]?.state, /^(uploaded|committing)$/, "the kill landed after the LFS upload");
  } finally {
    journal.close();
  }

  const repo = { endpoint: emulator.url, id: "user/sf-kill", token: TOKEN };
  t.same([...(await listRemoteFiles(repo)).keys()], [".gitattributes"], "and before any commit landed");

  emulator.setFaults("");
  const second = await runCli(fullArgs, { env, timeoutMs: 120_000 });
  t.equal(second.code, 0, second.stderr);
  const after = log().slice(before);
  t.same(
    after.filter((l) => l.route.startsWith("lfs-")).map((l) => l.route),
    [],
    "the resumed run asks no LFS plan and uploads nothing",
  );
  t.equal(after.filter((l) => l.route === "commit" && l.status === 200).length, 1, "one commit");
  t.equal(
    log().filter((l) => l.route === "lfs-put" && l.status === 200).length,
    1,
    "the object was uploaded once in all",
  );
  t.same([...(await listRemoteFiles(repo)).keys()].sort(), [".gitattributes", "w/model.bin"]);
  t.ok((await downloadRemoteFile(repo, "w/model.bin")).equals(content), "downloads byte-identical");
  const reopened = openJournal(path.join(home, "journal.sqlite"));
  try {
    const jobs = reopened.jobs.list();
    t.equal(jobs.length, 1, "the re-run found the same job");
    t.same(
      reopened.files.list(jobs[0]?.id ?? 0).map((f) => [f.state, f.hashCount]),
      [["committed", 1]],
      "committed, hashed once",
    );
  } finally {
    reopened.close();
  }
});
