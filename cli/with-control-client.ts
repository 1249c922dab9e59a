import type { ControlClient } from "../daemon/control-client.js";
import type { CliConfig } from "./cli-config.js";

/**
 * Runs `fn` with a client on the daemon's socket and closes it afterwards. The client (and undici)
 * is loaded on first use, so `--help` and `--version` start fast.
 */
export async function withControlClient<T>(
  config: CliConfig,
  fn: (client: ControlClient) => Promise<T>,
): Promise<T> {
  const { ControlClient } = await import("../daemon/control-client.js");
  const client = new ControlClient(config.paths.socket);
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}
