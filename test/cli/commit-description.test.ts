import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import t from "tap";
import { startEmulator } from "../../emulator/start-emulator.js";
import { writeTree } from "../helpers/folder-tree.js";
import { runCli } from "../helpers/run-cli.js";

const TOKEN = "hf_cli_desc";
const root = mkdtempSync(path.join(tmpdir(), "hubpush-cli-desc-"));
const emulator = await startEmulator({ tokens: [`${TOKEN}:write:user`], dataDir: path.join(root, "emu") });
const folder = path.join(root, "data");
writeTree(folder, { "a.txt": "a", "b/c.txt": "c" });
const daemonEnv = { HUBPUSH_HOME: path.join(root, "daemon-home"), HF_TOKEN: TOKEN, NO_COLOR: "1" };
const DESCRIPTION = "Trained 3 epochs.\n\nSee the model card.";

t.teardown(async () => {
  emulator.setFaults("");
  await runCli(["daemon", "stop"], { env: daemonEnv });
  await emulator.close();
  rmSync(root, { recursive: true, force: true });
});

/** The Hub's own record of the branch's commits (title = summary, message = description). */
async function remoteCommits(repo: string): Promise<Array<{ title: string; message: string }>> {
  const res = await fetch(`${emulator.url}/api/models/${repo}/commits/main`, {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  if (!res.ok) throw new Error(`commit listing failed: ${res.status}`);
  return (await res.json()) as Array<{ title: string; message: string }>;
}

t.test("upload --commit-description: the commit carries it next to --message", async (t) => {
  const result = await runCli(
    [
      "upload",
      folder,
      "--repo",
      "user/desc",
      "--endpoint",
      emulator.url,
      "--message",
      "Add weights",
      "--commit-description",
      DESCRIPTION,
    ],
    { env: { HUBPUSH_HOME: path.join(root, "home-up"), HF_TOKEN: TOKEN, NO_COLOR: "1" } },
  );
  t.equal(result.code, 0, result.stderr);
  const ours = (await remoteCommits("user/desc")).filter((c) => c.title === "Add weights");
  t.equal(ours.length, 1);
  t.equal(ours[0]?.message, DESCRIPTION);
});

t.test(
  "add --commit-description: in status --json, and kept by the journal across a daemon kill",
  async (t) => {
    // Commits fail (transiently) until the fault is lifted: the job cannot finish before the kill.
    emulator.setFaults("route=commit,kind=status,status=503");
    t.equal((await runCli(["daemon", "start"], { env: daemonEnv })).code, 0);
    const add = await runCli(
      [
        "add",
        folder,
        "--repo",
        "user/desc-d",
        "--endpoint",
        emulator.url,
        "--commit-description",
        DESCRIPTION,
      ],
      { env: daemonEnv },
    );
    t.equal(add.code, 0, add.stderr);
    const status = await runCli(["status", "1", "--json"], { env: daemonEnv });
    t.equal(status.code, 0, status.stderr);
    t.equal(
      (JSON.parse(status.stdout) as { options: { commitDescription: string } }).options.commitDescription,
      DESCRIPTION,
    );
    const daemon = await runCli(["daemon", "status"], { env: daemonEnv });
    const pid = Number(/^pid: (\d+)$/m.exec(daemon.stdout)?.[1]);
    t.ok(pid > 0, daemon.stdout);
    process.kill(pid, "SIGKILL");
    await new Promise((resolve) => setTimeout(resolve, 300));

    emulator.setFaults("");
    t.equal(
      (await runCli(["daemon", "start"], { env: daemonEnv })).code,
      0,
      "a fresh daemon resumes the job",
    );
    const watch = await runCli(["status", "1", "--watch", "--progress-interval", "100"], { env: daemonEnv });
    t.equal(watch.code, 0, watch.stderr);
    const commits = await remoteCommits("user/desc-d");
    t.same(
      commits.filter((c) => c.title === "Upload folder using hubpush").map((c) => c.message),
      [DESCRIPTION],
      "the resumed job's commit has the description the journal kept",
    );
  },
);
