import { spawn } from "node:child_process";
import { Command, InvalidArgumentError } from "commander";
import type { UiStatus } from "../../daemon/ui-status.js";
import { resolveCliConfig } from "../cli-config.js";
import type { CliIo } from "../cli-io.js";
import { withControlClient } from "../with-control-client.js";

function port(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n > 65_535) {
    throw new InvalidArgumentError("expected a port from 0 to 65535 (0 = any free port).");
  }
  return n;
}

/** Hands the URL to the desktop's browser; a machine without one just keeps the printed URL. */
function openInBrowser(io: CliIo, url: string): void {
  const child = spawn("xdg-open", [url], { stdio: "ignore", detached: true });
  child.on("error", () =>
    io.stderr.write("could not start a browser (xdg-open): open the URL above yourself\n"),
  );
  child.unref();
}

interface UiFlags {
  port?: number;
  open?: boolean;
  stop?: boolean;
  json?: boolean;
}

/**
 * `hubpush ui [--port N] [--open]`: turns the daemon's status page on (loopback only) and prints its
 * URL with the token; `ui --stop` turns it off and forgets the token (docs/ui.md).
 */
export function uiCommand(io: CliIo): Command {
  return new Command("ui")
    .description("show the status page's URL (turning the page on), or turn it off with --stop")
    .option("--port <n>", "listen on this loopback port (default: the last one, else any free port)", port)
    .option("--open", "open the page in the desktop's browser")
    .option("--stop", "turn the page off; its token stops working")
    .option("--json", "print the page's status as JSON")
    .action(async (flags: UiFlags) => {
      const config = resolveCliConfig(io, flags);
      if (flags.stop === true) {
        const { ui } = await withControlClient(config, (client) =>
          client.request<{ ui: UiStatus }>("POST", "/v1/ui/stop", {}),
        );
        if (config.json) io.stdout.write(`${JSON.stringify(ui)}\n`);
        else io.stdout.write("status page off\n");
        return;
      }
      const { ui } = await withControlClient(config, (client) =>
        client.request<{ ui: UiStatus }>("POST", "/v1/ui/start", { port: flags.port ?? null }),
      );
      if (config.json) io.stdout.write(`${JSON.stringify(ui)}\n`);
      else io.stdout.write(`${ui.url}\n`);
      if (flags.open === true && ui.url !== null) openInBrowser(io, ui.url);
    });
}
