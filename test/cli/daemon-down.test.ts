import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import t from "tap";
import { REPO_ROOT, runCli } from "../helpers/run-cli.js";

const home = mkdtempSync(path.join(tmpdir(), "hubpush-cli-"));
t.teardown(() => rmSync(home, { recursive: true, force: true }));
const env = { HUBPUSH_HOME: path.join(home, "state"), NO_COLOR: "1" };
const DOWN = "hubpush: daemon not running — start it with `hubpush daemon start` (ERR_DAEMON_NOT_RUNNING)\n";

t.test("commands that need the daemon exit 5 with the exact message", async (t) => {
  for (const args of [["status"], ["status", "3", "--json"], ["list"], ["pause", "1"], ["retry", "2"]]) {
    const result = await runCli(args, { env });
    t.equal(result.code, 5, args.join(" "));
    t.equal(result.stderr, DOWN, args.join(" "));
    t.equal(result.stdout, "");
  }
});

t.test("add validates its input before looking for the daemon", async (t) => {
  const folder = mkdtempSync(path.join(home, "data-"));
  const badRepo = await runCli(["add", folder, "--repo", "not a repo"], { env });
  t.equal(badRepo.code, 3);
  t.match(badRepo.stderr, /^hubpush: "not a repo" is not a valid repo id: .*\(ERR_REPO_ID_INVALID\)\n$/);
  const missing = path.join(home, "no-such-folder");
  const noFolder = await runCli(["add", missing, "--repo", "alice/model"], { env });
  t.equal(noFolder.code, 3);
  t.match(noFolder.stderr, `${missing} does not exist`);
  t.match(noFolder.stderr, "(ERR_FOLDER_NOT_FOUND)");
  // runCli runs in the repo root (tsx is resolved from there).
  const relative = await runCli(["add", "no-such-relative", "--repo", "alice/model"], { env });
  t.equal(relative.code, 3);
  t.match(
    relative.stderr,
    path.join(REPO_ROOT, "no-such-relative"),
    "relative folders resolve against the cwd",
  );
  const badType = await runCli(["add", folder, "--repo", "alice/model", "--repo-type", "kernel"], { env });
  t.equal(badType.code, 3);
  t.match(badType.stderr, "ERR_REPO_TYPE_INVALID");
  const good = await runCli(["add", folder, "--repo", "alice/model"], { env });
  t.equal(good.code, 5, "valid input, then the missing daemon");
  t.equal(good.stderr, DOWN);
});

t.test("daemon status says not running, exit 5", async (t) => {
  const result = await runCli(["daemon", "status"], { env });
  t.equal(result.code, 5);
  t.match(result.stdout, "not running");
});

t.test("a state directory whose socket path is too long is refused with what to do", async (t) => {
  const result = await runCli(["list"], { env: { HUBPUSH_HOME: path.join(home, "x".repeat(120)) } });
  t.equal(result.code, 3);
  t.match(result.stderr, "set HUBPUSH_HOME to a shorter path");
  t.match(result.stderr, "(ERR_SOCKET_PATH_TOO_LONG)");
});

t.test("upload refuses the daemon-only options before doing anything", async (t) => {
  const folder = mkdtempSync(path.join(home, "data-"));
  const result = await runCli(["upload", folder, "--repo", "alice/model", "--watch"], { env });
  t.equal(result.code, 2);
  t.match(result.stderr, "use `hubpush add");
});

t.test("visibility, --space-sdk and --revision: bad values exit 3 naming the flag (issue 12)", async (t) => {
  const folder = mkdtempSync(path.join(home, "data-"));
  for (const [args, message, code] of [
    [["--private", "--public"], /--private and --public were both given/, "ERR_VISIBILITY_CONFLICT"],
    [
      ["--repo-type", "space", "--space-sdk", "shiny"],
      /--space-sdk "shiny" is not one of gradio/,
      "ERR_SPACE_SDK_INVALID",
    ],
    [["--space-sdk", "docker"], /--space-sdk only applies to Spaces/, "ERR_SPACE_SDK_INVALID"],
    [["--revision", "a..b"], /--revision "a\.\.b" is not a valid branch name/, "ERR_REVISION_INVALID"],
  ] as const) {
    const result = await runCli(["add", folder, "--repo", "alice/model", ...args], { env });
    t.equal(result.code, 3, args.join(" "));
    t.match(result.stderr, message, args.join(" "));
    t.match(result.stderr, `(${code})`, args.join(" "));
  }
  for (const args of [["--public"], ["--private"], ["--repo-type", "space", "--space-sdk", "static"]]) {
    const result = await runCli(["add", folder, "--repo", "alice/model", ...args], { env });
    t.equal(result.code, 5, `${args.join(" ")}: valid, then the missing daemon`);
  }
});
