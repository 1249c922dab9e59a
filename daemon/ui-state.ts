import { randomBytes } from "node:crypto";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

/** What `hubpush ui` leaves in the state directory (ui.json, mode 0600) while the page is on. */
export interface UiState {
  /** The page's access token: 32 random bytes, base64url. */
  readonly token: string;
  /** The loopback port the page listens on. */
  readonly port: number;
}

export function uiStatePath(home: string): string {
  return path.join(home, "ui.json");
}

export function newUiToken(): string {
  return randomBytes(32).toString("base64url");
}

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** The saved state, or null when the page is off (no file) or the file is not ours (ignored). */
export function readUiState(home: string): UiState | null {
  let text: string;
  try {
    text = readFileSync(uiStatePath(home), "utf8");
  } catch {
    return null;
  }
  try {
    const value = JSON.parse(text) as Partial<UiState>;
    if (typeof value.token !== "string" || !TOKEN_SHAPE.test(value.token)) return null;
    if (
      typeof value.port !== "number" ||
      !Number.isInteger(value.port) ||
      value.port < 1 ||
      value.port > 65_535
    )
      return null;
    return { token: value.token, port: value.port };
  } catch {
    return null;
  }
}

/**
 * Saves the state for the next daemon start, so an open tab reconnects after a restart with the
 * same URL. Mode 0600 in the 0700 state directory: only the user who can already use the control
 * socket (which grants more than the page) can read it.
 */
export function writeUiState(home: string, state: UiState): void {
  writeFileSync(uiStatePath(home), `${JSON.stringify(state)}\n`, { mode: 0o600 });
}

/** `ui --stop`: the page is off and its token is gone; the next `ui` makes a new one. */
export function removeUiState(home: string): void {
  rmSync(uiStatePath(home), { force: true });
}
