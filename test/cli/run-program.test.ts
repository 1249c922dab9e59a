import { Writable } from "node:stream";
import t from "tap";
import type { CliIo } from "../../cli/cli-io.js";
import { runProgram } from "../../cli/run-program.js";
import { CLI_ENTRY } from "../helpers/run-cli.js";

/** The real program, in this process, with its output captured: for the many help pages. */
async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const sink = (append: (text: string) => void): Writable =>
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        append(chunk.toString("utf8"));
        callback();
      },
    });
  let exitCode: number | undefined;
  const io: CliIo = {
    env: { HUBPUSH_HOME: "/nonexistent/hubpush-test", NO_COLOR: "1" },
    cwd: process.cwd(),
    stdout: sink((text) => {
      stdout += text;
    }),
    stderr: sink((text) => {
      stderr += text;
    }),
    entry: CLI_ENTRY,
    execPath: process.execPath,
    execArgv: [],
    setExitCode(code) {
      exitCode = code;
    },
  };
  const code = await runProgram(io, args);
  return { code: exitCode ?? code, stdout, stderr };
}

t.test("every command and subcommand has --help", async (t) => {
  for (const args of [
    ["upload"],
    ["daemon"],
    ["daemon", "start"],
    ["daemon", "stop"],
    ["daemon", "status"],
    ["daemon", "run"],
    ["add"],
    ["status"],
    ["list"],
    ["pause"],
    ["resume"],
    ["cancel"],
    ["retry"],
    ["logs"],
    ["service"],
    ["service", "install"],
    ["service", "uninstall"],
  ]) {
    const result = await run([...args, "--help"]);
    t.equal(result.code, 0, args.join(" "));
    t.match(result.stdout, new RegExp(`^Usage: hubpush ${args.join(" ")}\\b`, "m"), args.join(" "));
  }
});

t.test("upload and add --help show the job options", async (t) => {
  const { stdout } = await run(["upload", "--help"]);
  for (const option of [
    "--repo <ns/name>",
    "--repo-type",
    "--revision",
    "--private",
    "--public",
    "--space-sdk <sdk>",
    "--include",
    "--exclude",
    "--path-in-repo",
    "--message",
    "--workers",
    "--endpoint",
    "--token-file",
    "--max-rate",
    "--json",
  ]) {
    t.match(stdout, option, option);
  }
  t.notMatch(stdout, "--progress-interval");
  t.notMatch(stdout, /^ +--watch /m, "upload refuses the watch options, so it does not offer them");
  const add = await run(["add", "--help"]);
  for (const option of ["--watch", "--every <minutes>", "--delete"])
    t.match(add.stdout, option, `add ${option}`);
});

t.test("usage errors: exit 2 and a message naming the problem", async (t) => {
  for (const [args, message] of [
    [["add", "--repo", "alice/model"], "missing required argument 'folder'"],
    [["add", "/tmp"], "required option '--repo <ns/name>' not specified"],
    [["status", "abc"], "is not a job id"],
    [["upload", "/tmp", "--repo", "a/b", "--workers", "0"], "expected a whole number greater than 0"],
    [["upload", "/tmp", "--repo", "a/b", "--every", "soon"], "expected a number greater than 0"],
    [["pause"], "missing required argument 'job'"],
    [["service", "reinstall"], "unknown command 'reinstall'"],
  ] as const) {
    const result = await run([...args]);
    t.equal(result.code, 2, args.join(" "));
    t.match(result.stderr, message, args.join(" "));
    t.match(result.stderr, /^hubpush: /);
  }
  const group = await run(["daemon"]);
  t.equal(group.code, 2, "a command group without its subcommand is a usage error");
  t.match(group.stderr, "Usage: hubpush daemon");
});
