import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import t from "tap";
import { REPO_ROOT, runCli } from "../helpers/run-cli.js";

const root = mkdtempSync(path.join(tmpdir(), "hubpush-svc-"));
t.teardown(() => rmSync(root, { recursive: true, force: true }));
// A PATH without systemctl: the command must fall back to printing the instructions.
const emptyBin = path.join(root, "bin");
mkdirSync(emptyBin);
const config = path.join(root, "config");
const state = path.join(root, "state dir %x");
const hfHome = path.join(root, "hf");
const env = {
  PATH: emptyBin,
  XDG_CONFIG_HOME: config,
  HUBPUSH_HOME: state,
  HF_HOME: hfHome,
  HF_TOKEN: "hf_secret_never_in_the_unit",
};
const unit = path.join(config, "systemd", "user", "hubpush.service");

t.test("install writes the user unit and prints how to enable it", async (t) => {
  const result = await runCli(["service", "install"], { env });
  t.equal(result.code, 0, result.stderr);
  const text = readFileSync(unit, "utf8");
  const entry = path.join(REPO_ROOT, "dist", "cli", "main.js");
  t.match(text, `ExecStart="${process.execPath}" "${entry}" daemon run\n`);
  // % is a systemd specifier: it must be doubled to stay literal.
  t.match(text, `Environment="HUBPUSH_HOME=${state.replace("%", "%%")}"\n`);
  t.match(text, `Environment="HF_HOME=${hfHome}"\n`);
  t.match(text, "Restart=on-failure\n");
  t.match(text, "[Install]\nWantedBy=default.target\n");
  t.notMatch(text, "hf_secret", "the token never goes into the unit");
  t.notMatch(text, "HF_TOKEN");
  t.match(result.stdout, `wrote ${unit}`);
  t.match(result.stdout, "systemctl --user daemon-reload\n");
  t.match(result.stdout, "systemctl --user enable --now hubpush.service\n");
  t.match(result.stdout, `keep the token in ${path.join(hfHome, "token")}`);
  if (!existsSync(entry)) t.match(result.stderr, "npm run build", "warns when dist/ is not built");
});

t.test("install again rewrites the same unit", async (t) => {
  const before = readFileSync(unit, "utf8");
  const result = await runCli(["service", "install"], { env });
  t.equal(result.code, 0);
  t.equal(readFileSync(unit, "utf8"), before);
});

t.test("uninstall removes the unit and prints how to disable it", async (t) => {
  const result = await runCli(["service", "uninstall"], { env });
  t.equal(result.code, 0, result.stderr);
  t.notOk(existsSync(unit));
  t.match(result.stdout, `removed ${unit}`);
  t.match(result.stdout, "systemctl --user disable --now hubpush.service");
  const again = await runCli(["service", "uninstall"], { env });
  t.equal(again.code, 0);
  t.match(again.stdout, "nothing to uninstall");
});

t.test("without XDG_CONFIG_HOME the unit goes under ~/.config", async (t) => {
  const home = path.join(root, "home");
  const result = await runCli(["service", "install"], {
    env: { PATH: emptyBin, HOME: home, HUBPUSH_HOME: state },
  });
  t.equal(result.code, 0, result.stderr);
  const text = readFileSync(path.join(home, ".config", "systemd", "user", "hubpush.service"), "utf8");
  t.notMatch(text, "HF_HOME", "HF_HOME only when it is set");
});
