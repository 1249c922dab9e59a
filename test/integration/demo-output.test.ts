import { spawn } from "node:child_process";
import t from "tap";
import { REPO_ROOT } from "../helpers/run-cli.js";

// Issue 12 §10: the demo printed "daemon started (daemon started (pid …" and users must see no
// Node warning (MaxListenersExceededWarning …) in its output.
t.test("the demo's output: one plain 'daemon started' line, no Node warning", async (t) => {
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/demo.ts"], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), 240_000);
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  clearTimeout(timer);
  t.equal(code, 0, stderr);
  t.match(stdout, /^daemon started \(pid \d+\), socket /m);
  t.notMatch(stdout, "daemon started (daemon started", "not nested");
  t.notMatch(stderr, /Warning/, "no Node warning on stderr");
  t.notMatch(stdout, /Warning:/, "no Node warning on stdout");
});
