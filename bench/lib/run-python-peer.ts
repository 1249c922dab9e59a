import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { TOKEN } from "./emulator-process.js";
import type { PeerRun } from "./run-peer.js";
import { runNodeProcess } from "./run-process.js";

const CHILD = fileURLToPath(new URL("../python-peer/upload_folder_child.py", import.meta.url));
const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** Where bench/python-peer/install.sh unpacked huggingface_hub, and the Python that runs it. */
export interface PythonPeer {
  readonly sitePackages: string;
  readonly python: string;
  /** e.g. "huggingface_hub 1.23.0". */
  readonly version: string;
}

/**
 * The installed Python peer, or null with the reason (the benches then print it and run without).
 * HUBPUSH_PYTHON_PEER names the install folder (default <repo>/.tmp-bench/python-peer).
 */
export function findPythonPeer(): PythonPeer | { readonly missing: string } {
  const home = path.resolve(
    process.env.HUBPUSH_PYTHON_PEER ?? path.join(REPO_ROOT, ".tmp-bench", "python-peer"),
  );
  const versionFile = path.join(home, "huggingface_hub.version");
  if (!existsSync(versionFile)) {
    return {
      missing: `huggingface_hub is not installed in ${home}: run \`bash bench/python-peer/install.sh\``,
    };
  }
  return {
    sitePackages: path.join(home, "root", "usr", "lib", "python3", "dist-packages"),
    python: process.env.HUBPUSH_PYTHON ?? "/usr/bin/python3",
    version: `huggingface_hub ${readFileSync(versionFile, "utf8").trim()}`,
  };
}

/**
 * huggingface_hub create_repo + upload_folder against `url`, in a process of its own (see
 * upload_folder_child.py). No progress bars and no telemetry; hf_xet is not installed, so it uploads
 * through LFS, as the LFS side of every workload it is compared with.
 */
export function runPythonPeer(peer: PythonPeer, url: string, repo: string, folder: string): Promise<PeerRun> {
  return runPythonUploadFolder(peer, { url, repo, folder, token: TOKEN });
}

export interface PythonUploadOptions {
  readonly url: string;
  readonly token: string;
  readonly repo: string;
  readonly folder: string;
  readonly repoType?: string;
  /** A branch created from main before the upload. */
  readonly revision?: string;
  readonly pathInRepo?: string;
}

/** upload_folder_child.py with the given options; throws with the client's stderr when it fails. */
export async function runPythonUploadFolder(peer: PythonPeer, o: PythonUploadOptions): Promise<PeerRun> {
  const hfHome = mkdtempSync(path.join(tmpdir(), "hubpush-bench-hf-home-"));
  const args = [CHILD, "--url", o.url, "--repo", o.repo, "--folder", o.folder, "--token", o.token];
  if (o.repoType !== undefined) args.push("--repo-type", o.repoType);
  if (o.revision !== undefined) args.push("--revision", o.revision);
  if (o.pathInRepo !== undefined) args.push("--path-in-repo", o.pathInRepo);
  try {
    const run = await runNodeProcess({
      command: peer.python,
      args,
      env: {
        PATH: process.env.PATH,
        PYTHONPATH: peer.sitePackages,
        HF_HOME: hfHome,
        HF_HUB_DISABLE_PROGRESS_BARS: "1",
        HF_HUB_DISABLE_TELEMETRY: "1",
        HF_HUB_DISABLE_IMPLICIT_TOKEN: "1",
      },
    });
    const line = run.stdout.trim().split("\n").at(-1) ?? "";
    if (run.code !== 0 || !line.startsWith("{")) {
      throw new Error(`the Python peer failed (exit ${run.code ?? run.signal}):\n${run.stderr.slice(-3000)}`);
    }
    const out = JSON.parse(line) as { seconds: number; files: number; commits: number };
    return {
      seconds: out.seconds,
      files: out.files,
      commits: out.commits,
      processSeconds: run.seconds,
      peakRssMb: run.peakRssMb,
      cpuSeconds: run.cpuSeconds,
    };
  } finally {
    rmSync(hfHome, { recursive: true, force: true });
  }
}
