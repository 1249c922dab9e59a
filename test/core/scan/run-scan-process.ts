/**
 * Test helper for permission cases. Root bypasses permission bits, so as root the scan runs in a
 * child process under the `nobody` uid; otherwise in a child under the current user. Returns the
 * JSON lines scan-as-process.ts printed, or `unavailable` when, as root, nobody cannot even load
 * the sources here (a read-only checkout under a private home, say).
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { whyNobodyCannotRunSources } from "../../helpers/as-nobody.js";

const SCRIPT = fileURLToPath(new URL("./scan-as-process.ts", import.meta.url));
const NOBODY = 65534;

export interface ProcessEntry {
  readonly kind: string;
  readonly file?: { readonly path: string };
  readonly path?: string;
  readonly code?: string;
  readonly message?: string;
  readonly reason?: string;
}

export async function runScanProcess(
  folder: string,
  mode: "scan" | "check",
): Promise<{ entries: ProcessEntry[] } | { unavailable: string }> {
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const why = await whyNobodyCannotRunSources();
    if (why !== null) return { unavailable: why };
  }
  try {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", SCRIPT, folder, mode],
      asRoot ? { uid: NOBODY, gid: NOBODY, env: { ...process.env, HOME: "/tmp" } } : {},
    );
    const entries = stdout
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line) as ProcessEntry);
    return { entries };
  } catch (err) {
    const stderr = String((err as { stderr?: unknown }).stderr ?? "");
    if (asRoot && /EACCES|EPERM|permission denied/i.test(stderr) && !stderr.includes(folder)) {
      return { unavailable: `uid ${NOBODY} cannot load the sources: ${stderr.split("\n")[0] ?? ""}` };
    }
    throw err;
  }
}
