import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Command } from "commander";
import { type CliConfig, resolveCliConfig } from "../cli-config.js";
import type { CliIo } from "../cli-io.js";
import { distEntry } from "../dist-entry.js";
import { systemdUnit } from "../service/systemd-unit.js";

const UNIT_NAME = "hubpush.service";

function userHome(config: CliConfig): string {
  return config.env.HOME !== undefined && config.env.HOME !== "" ? config.env.HOME : os.homedir();
}

/** $XDG_CONFIG_HOME/systemd/user/hubpush.service, XDG_CONFIG_HOME defaulting to ~/.config. */
function unitPath(config: CliConfig): string {
  const xdg = config.env.XDG_CONFIG_HOME;
  const base = xdg !== undefined && path.isAbsolute(xdg) ? xdg : path.join(userHome(config), ".config");
  return path.join(base, "systemd", "user", UNIT_NAME);
}

/** Runs `systemctl --user …`; false when systemctl is missing or the user manager does not answer. */
function systemctl(config: CliConfig, args: readonly string[]): { ok: boolean; output: string } {
  const result = spawnSync("systemctl", ["--user", ...args], {
    env: { ...config.env },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    timeout: 30_000,
  });
  if (result.error !== undefined) return { ok: false, output: result.error.message };
  return { ok: result.status === 0, output: `${result.stdout ?? ""}${result.stderr ?? ""}`.trim() };
}

async function install(io: CliIo, config: CliConfig): Promise<void> {
  const entry = distEntry(io.entry);
  if (entry.fromSources && !existsSync(entry.path)) {
    io.stderr.write(
      `hubpush: warning: ${entry.path} does not exist yet; run \`npm run build\` before the service starts\n`,
    );
  }
  const environment: Record<string, string> = { HUBPUSH_HOME: config.paths.home };
  const hfHome = config.env.HF_HOME;
  if (hfHome !== undefined && hfHome !== "") environment.HF_HOME = path.resolve(config.cwd, hfHome);
  const file = unitPath(config);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, systemdUnit({ node: io.execPath, entry: entry.path, environment }), { mode: 0o644 });
  io.stdout.write(`wrote ${file}\n`);
  const tokenFile = path.join(
    environment.HF_HOME ?? path.join(userHome(config), ".cache", "huggingface"),
    "token",
  );
  // The unit file is readable by others and systemd logs its environment: the token never goes there.
  io.stdout.write(
    `the service does not get HF_TOKEN: keep the token in ${tokenFile}, or give --token-file to \`hubpush add\`\n`,
  );
  if (systemctl(config, ["daemon-reload"]).ok) {
    const enabled = systemctl(config, ["enable", "--now", UNIT_NAME]);
    if (enabled.ok) {
      io.stdout.write(
        `enabled and started ${UNIT_NAME}; check it with \`systemctl --user status ${UNIT_NAME}\`\n`,
      );
      return;
    }
    io.stderr.write(`hubpush: \`systemctl --user enable --now ${UNIT_NAME}\` failed: ${enabled.output}\n`);
  }
  io.stdout.write(
    [
      "systemctl --user is not available here; to enable the service, run:",
      "  systemctl --user daemon-reload",
      `  systemctl --user enable --now ${UNIT_NAME}`,
      "and, so that it also runs while you are logged out:",
      "  loginctl enable-linger $USER",
      "",
    ].join("\n"),
  );
}

async function uninstall(io: CliIo, config: CliConfig): Promise<void> {
  const file = unitPath(config);
  if (!existsSync(file)) {
    io.stdout.write(`${file} does not exist: nothing to uninstall\n`);
    return;
  }
  const disabled = systemctl(config, ["disable", "--now", UNIT_NAME]);
  await rm(file, { force: true });
  io.stdout.write(`removed ${file}\n`);
  if (disabled.ok) {
    systemctl(config, ["daemon-reload"]);
    io.stdout.write(`stopped and disabled ${UNIT_NAME}\n`);
  } else {
    io.stdout.write(
      `systemctl --user is not available here; if the service was enabled elsewhere, run:\n  systemctl --user disable --now ${UNIT_NAME}\n  systemctl --user daemon-reload\n`,
    );
  }
}

/** `hubpush service install|uninstall`: a systemd user unit, so uploads resume after a reboot. */
export function serviceCommand(io: CliIo): Command {
  const service = new Command("service").description(
    "install or remove a systemd user service that runs the daemon (uploads resume after a reboot)",
  );
  service
    .command("install")
    .description(`write ~/.config/systemd/user/${UNIT_NAME} and enable it`)
    .action(() => install(io, resolveCliConfig(io)));
  service
    .command("uninstall")
    .description(`disable and remove ${UNIT_NAME}`)
    .action(() => uninstall(io, resolveCliConfig(io)));
  return service;
}
