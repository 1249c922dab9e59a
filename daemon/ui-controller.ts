import type { Logger } from "pino";
import { HubpushError } from "../common/hubpush-error.js";
import type { Journal } from "../storage/journal.js";
import type { Route } from "./control-routes.js";
import { loadUiAssets } from "./ui-assets.js";
import { uiRoutes } from "./ui-routes.js";
import { UiServer } from "./ui-server.js";
import { newUiToken, readUiState, removeUiState, writeUiState } from "./ui-state.js";
import type { UiControl, UiStatus } from "./ui-status.js";

export type { UiControl, UiStatus } from "./ui-status.js";

export interface UiControllerOptions {
  readonly home: string;
  readonly journal: Journal;
  readonly logger: Logger;
  /** The control routes the page's API is a subset of. */
  readonly controlRoutes: () => ReadonlyMap<string, Route>;
}

/**
 * Turns the status page on and off. Off until `hubpush ui` asks; on, it stays on across daemon
 * restarts (same port, same token, from ui.json) until `hubpush ui --stop`, so an open tab
 * reconnects by itself after a restart. `ui --stop` deletes the token: the next `ui` makes a new one.
 */
export class UiController implements UiControl {
  readonly #options: UiControllerOptions;
  #server: UiServer | null = null;
  #token: string | null = null;

  constructor(options: UiControllerOptions) {
    this.#options = options;
  }

  status(): UiStatus {
    if (this.#server === null || this.#token === null) return { running: false, port: null, url: null };
    const port = this.#server.port;
    return { running: true, port, url: `http://127.0.0.1:${port}/?token=${this.#token}` };
  }

  /** At daemon start: turns the page back on if it was on when the daemon stopped. Never throws. */
  async resume(): Promise<void> {
    const saved = readUiState(this.#options.home);
    if (saved === null) return;
    try {
      await this.#listen(saved.port, saved.token);
      this.#options.logger.info({ port: saved.port }, "status page back on");
    } catch (err) {
      this.#options.logger.warn(
        { err, port: saved.port },
        "status page could not come back on; run `hubpush ui`",
      );
    }
  }

  /**
   * Turns the page on (port null: the saved one, else any free port). On already: the same page,
   * unless another port is asked for; the new port is bound before the old one is let go, so a
   * port that is taken leaves the page as it was.
   */
  async start(port: number | null): Promise<UiStatus> {
    const current = this.#server;
    if (current !== null && (port === null || port === current.port)) return this.status();
    const saved = readUiState(this.#options.home);
    const token = this.#token ?? saved?.token ?? newUiToken();
    await this.#listen(port ?? saved?.port ?? 0, token);
    await current?.close();
    return this.status();
  }

  async stop(): Promise<UiStatus> {
    await this.#close();
    this.#token = null;
    removeUiState(this.#options.home);
    this.#options.logger.info("status page off, token removed");
    return this.status();
  }

  /** Daemon shutdown: the page goes away with the daemon but stays configured for the next start. */
  async close(): Promise<void> {
    await this.#close();
  }

  async #listen(port: number, token: string): Promise<void> {
    const server = new UiServer({
      token,
      routes: uiRoutes(this.#options.controlRoutes(), this.#options.journal),
      assets: loadUiAssets(),
      journal: this.#options.journal,
      onError: (err) => this.#options.logger.error({ err }, "status page request failed"),
    });
    let bound: number;
    try {
      bound = await server.listen(port);
    } catch (err) {
      await server.close().catch(() => {});
      throw new HubpushError(
        "ERR_UI_START",
        `the status page cannot listen on 127.0.0.1:${port} (${(err as Error).message}): choose another port with \`hubpush ui --port N\``,
        { details: { port } },
      );
    }
    this.#server = server;
    this.#token = token;
    writeUiState(this.#options.home, { token, port: bound });
    this.#options.logger.info({ port: bound }, "status page on");
  }

  async #close(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    await server?.close();
  }
}
