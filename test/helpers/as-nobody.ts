import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

/** Root bypasses permission bits, so permission cases run their child process as this uid. */
export const NOBODY = 65534;

const PROBE = fileURLToPath(new URL("./nobody-probe.ts", import.meta.url));
let probed: Promise<string | null> | undefined;

/**
 * Whether uid nobody can run the test sources in this checkout (a clone inside a private 0700
 * folder cannot). Resolves null when it can, else the reason, so permission cases skip saying why.
 */
export function whyNobodyCannotRunSources(): Promise<string | null> {
  probed ??= promisify(execFile)(process.execPath, ["--import", "tsx", PROBE], {
    uid: NOBODY,
    gid: NOBODY,
    env: { ...process.env, HOME: "/tmp" },
  }).then(
    () => null,
    (err: unknown) => {
      const stderr = String((err as { stderr?: unknown }).stderr ?? "");
      const line = stderr.split("\n").find((l) => /Error|EACCES/.test(l)) ?? String(err);
      return `uid ${NOBODY} cannot load the test sources in this checkout (${line.trim()})`;
    },
  );
  return probed;
}
