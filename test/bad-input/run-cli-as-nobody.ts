import { execFile } from "node:child_process";
import { chownSync, lstatSync, readdirSync } from "node:fs";
import path from "node:path";
import { NOBODY, whyNobodyCannotRunSources } from "../helpers/as-nobody.js";
import { CLI_ENTRY, type CliResult, REPO_ROOT } from "../helpers/run-cli.js";

const asRoot = process.getuid?.() === 0;

/**
 * Why permission cases cannot run here, or null when they can. Root ignores permission bits, so as
 * root the CLI runs as uid nobody, which must be able to load the sources of this checkout.
 */
export async function whyNoPermissionCases(): Promise<string | null> {
  if (!asRoot) return null;
  const why = await whyNobodyCannotRunSources();
  return why === null ? null : `running as root and ${why}: permission bits cannot be tested`;
}

/** As root, hands `dir` and everything under it to nobody, so that only what a test locks is locked. */
export function giveToNobody(dir: string): void {
  if (!asRoot) return;
  const walk = (p: string): void => {
    chownSync(p, NOBODY, NOBODY);
    if (lstatSync(p).isDirectory()) for (const name of readdirSync(p)) walk(path.join(p, name));
  };
  walk(dir);
}

/** Runs the CLI to completion as uid nobody when we are root (else as ourselves). */
export function runCliAsNobody(args: readonly string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", CLI_ENTRY, ...args],
      {
        cwd: REPO_ROOT,
        env: { PATH: process.env.PATH, HOME: "/tmp", ...env },
        timeout: 90_000,
        killSignal: "SIGKILL",
        ...(asRoot ? { uid: NOBODY, gid: NOBODY } : {}),
      },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === "number" ? err.code : null;
        resolve({ code, signal: (err?.signal as NodeJS.Signals | undefined) ?? null, stdout, stderr });
      },
    );
  });
}
